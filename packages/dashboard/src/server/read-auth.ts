import { createHash, createHmac, timingSafeEqual } from "node:crypto";

const READ_COOKIE = "neoxctl_read";

function sameSecret(a: string, b: string): boolean {
  // hashed first, so the comparison takes the same time whatever the length or content of the guess
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

/**
 * The cookie value a login sets: derived from the read token, so the cookie never holds the token
 * itself, and changing the token ends every session.
 */
export function sessionValue(readToken: string): string {
  return createHmac("sha256", readToken).update("neoxctl dashboard read session v1").digest("base64url");
}

/** The value of one cookie in a `Cookie` header (names and values here are base64url, no quoting). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function tokenMatches(readToken: string, given: string): boolean {
  return sameSecret(readToken, given);
}

/** Read access: `Authorization: Bearer <read token>` (Prometheus, scripts) or the login cookie. */
export function readAllowed(
  readToken: string,
  headers: { authorization?: string | undefined; cookie?: string | undefined }
): boolean {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "")?.[1];
  if (bearer !== undefined && sameSecret(readToken, bearer)) return true;
  const cookie = cookieValue(headers.cookie, READ_COOKIE);
  return cookie !== undefined && sameSecret(sessionValue(readToken), cookie);
}

export function sessionCookie(readToken: string, secure: boolean): string {
  return `${READ_COOKIE}=${sessionValue(readToken)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200${secure ? "; Secure" : ""}`;
}
