/**
 * Secrets neoxctl handles: the dashboard token, webhook URLs (the path is the credential) and Redis
 * URLs with a password. None may reach a log line, an event or `--json` output; everything that
 * prints text it did not write itself passes it through `redactSecrets`.
 */
export const REDACTED = "<redacted>";

const WEB_SCHEMES = new Set(["http:", "https:"]);

/**
 * A URL safe to print: the password is masked; for web URLs (webhooks) the path and query are
 * hidden too, since the path is what grants access. Redis URLs keep their db number.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "<redacted url>";
  }
  const user = u.username !== "" ? decodeURIComponent(u.username) : "";
  const auth = u.password !== "" ? `${user}:${REDACTED}@` : user !== "" ? `${user}@` : "";
  const path = WEB_SCHEMES.has(u.protocol)
    ? u.pathname.length > 1 || u.search !== ""
      ? `/${REDACTED}`
      : ""
    : u.pathname;
  return `${u.protocol}//${auth}${u.host}${path}`;
}

// scheme://[user]:password@ — the password part of any URL in free text
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]+)@/gi;

/**
 * Masks every occurrence of each secret in `text`, and the password of any URL whatever the list
 * says. A URL secret is also masked in the pieces error messages quote: its path, its password, and
 * its percent-decoded forms.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  const pieces = new Set<string>();
  for (const s of secrets) {
    if (s.length < 4) continue; // masking a 1-3 character "secret" would shred ordinary text
    pieces.add(s);
    try {
      const u = new URL(s);
      if (u.password !== "") {
        pieces.add(u.password);
        pieces.add(decodeURIComponent(u.password));
      }
      if (WEB_SCHEMES.has(u.protocol) && u.pathname.length > 1) pieces.add(u.pathname + u.search);
    } catch {
      // a plain token: the literal replacement is all there is
    }
  }
  // longest first, so a URL is replaced as a whole before its pieces
  for (const p of [...pieces].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(p).join(URL_LIKE.test(p) ? redactUrl(p) : REDACTED);
  }
  return out.replace(URL_PASSWORD, (_m, head: string) => `${head}:${REDACTED}@`);
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
