import { createHash, timingSafeEqual } from "node:crypto";

export type AuthOutcome = "ok" | "read_only" | "missing" | "wrong";

/**
 * Checks `Authorization: Bearer <token>` against the configured token. Both sides are hashed
 * first so the comparison takes the same time whatever the length or content of the guess.
 */
export function checkBearer(configured: string | undefined, header: string | undefined): AuthOutcome {
  if (configured === undefined || configured === "") return "read_only";
  if (!header) return "missing";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) return "missing";
  const a = createHash("sha256").update(match[1]).digest();
  const b = createHash("sha256").update(configured).digest();
  return timingSafeEqual(a, b) ? "ok" : "wrong";
}

/** HTTP status and message for an outcome other than ok; never echoes what was sent. */
export function authFailure(outcome: Exclude<AuthOutcome, "ok">): { status: number; message: string } {
  switch (outcome) {
    case "read_only":
      return {
        status: 403,
        message: "this dashboard is read-only: no action token is configured on the server"
      };
    case "missing":
      return { status: 401, message: "an Authorization: Bearer token is required" };
    case "wrong":
      return { status: 401, message: "the token is not valid" };
  }
}
