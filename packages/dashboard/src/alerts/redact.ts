/**
 * Webhook URLs are credentials (anyone holding a Slack hook URL can post to the channel), so they
 * never reach a log line or JSON output: only the scheme and host are shown.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/<redacted>`;
  } catch {
    return "<redacted url>";
  }
}

/** Replaces every occurrence of each secret (and of its path part, which error texts may quote). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    out = out.split(s).join(redactUrl(s));
    try {
      const path = new URL(s).pathname + new URL(s).search;
      if (path.length > 1) out = out.split(path).join("/<redacted>");
    } catch {
      // not a URL: the whole-string replacement above is all there is
    }
  }
  return out;
}
