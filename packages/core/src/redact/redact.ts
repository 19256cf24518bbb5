/**
 * Secrets neoxctl handles: the dashboard tokens, webhook URLs (the path is the credential) and Redis
 * URLs with a password, plus whatever credentials a training log or an error message may quote.
 * None may reach a terminal, a page, an alert or a log line: every output passes its text through
 * `redactSecrets`, the one redaction of the code base.
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

/** Secrets this process holds (tokens, webhook URLs, the Redis URL); masked in every output. */
const registered = new Set<string>();

/**
 * Adds secrets the process was configured with, so that every later `redactSecrets` call masks
 * them even where the caller has no list (a page template, a log serializer).
 */
export function registerSecrets(secrets: readonly (string | undefined)[]): void {
  for (const s of secrets) if (s !== undefined && s.length >= 4) registered.add(s);
}

// scheme://[user]:password@ — the password part of any URL in free text
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]+)@/gi;
// incoming-webhook URLs whose path is the credential (Slack, Discord, Teams, Telegram bots)
const WEBHOOK_URL =
  /\bhttps?:\/\/(?:hooks\.slack\.com|(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks|[a-z0-9-]+\.webhook\.office\.com|outlook\.office(?:365)?\.com\/webhook|api\.telegram\.org\/bot)[^\s"'<>`]*/gi;
// credential-looking query parameters of any URL
const SECRET_QUERY =
  /([?&](?:[a-z0-9_-]*token|[a-z0-9_-]*secret|(?:api|access)[_-]?key|key|sig|signature|password|passwd|auth|code)=)[^&\s"'<>#`]+/gi;
// Authorization header values quoted in text
const AUTH_SCHEME = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g;
// NAME=value or name: value where the name ends in a credential word (env dumps, config echoes)
const SECRET_ASSIGNMENT =
  /\b([a-z0-9_.-]*(?:token|secret|password|passwd|api[_-]?key|access[_-]?key|webhook(?:[_-]?url)?))(["']?\s*[=:]\s*)(["']?)(?!<redacted>)[^\s"',;\u0000-\u001f]+/gi;
// token formats that announce themselves (Slack, GitHub, Hugging Face, OpenAI-style, AWS, GitLab)
const KNOWN_TOKEN =
  /\b(?:xox[abposr]-[A-Za-z0-9-]{10,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|hf_[A-Za-z0-9]{30,}|sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|glpat-[A-Za-z0-9_-]{20,})\b/g;

/** Every piece of a listed secret an error message might quote: the whole, its password, its path. */
function piecesOf(secrets: Iterable<string>): string[] {
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
  return [...pieces].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * Masks every occurrence of each listed or registered secret in `text`, and whatever looks like a
 * credential whatever the lists say: URL passwords, webhook URLs, credential query parameters,
 * `Bearer …`, `…TOKEN=…` assignments and self-announcing token formats.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const p of piecesOf([...secrets, ...registered])) {
    if (out.includes(p)) out = out.split(p).join(URL_LIKE.test(p) ? redactUrl(p) : REDACTED);
  }
  return out
    .replace(WEBHOOK_URL, (m) => redactUrl(m))
    .replace(URL_PASSWORD, (_m, head: string) => `${head}:${REDACTED}@`)
    .replace(SECRET_QUERY, (_m, head: string) => `${head}${REDACTED}`)
    .replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(
      SECRET_ASSIGNMENT,
      (_m, name: string, sep: string, quote: string) => `${name}${sep}${quote}${REDACTED}`
    )
    .replace(KNOWN_TOKEN, REDACTED);
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
