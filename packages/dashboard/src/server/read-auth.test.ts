import { describe, expect, it } from "vitest";
import { cookieValue, readAllowed, sessionCookie, sessionValue } from "./read-auth.ts";

const READ = "read-token-0123456789";

describe("read access", () => {
  it("accepts the Bearer read token or the session cookie, nothing near them", () => {
    const session = sessionValue(READ);
    expect(session).not.toContain(READ);
    expect(readAllowed(READ, { authorization: `Bearer ${READ}` })).toBe(true);
    expect(readAllowed(READ, { cookie: `a=1; neoxctl_read=${session}` })).toBe(true);
    expect(readAllowed(READ, { authorization: `Bearer ${READ}x` })).toBe(false);
    expect(readAllowed(READ, { cookie: `neoxctl_read=${READ}` })).toBe(false);
    expect(readAllowed(READ, { cookie: `xneoxctl_read=${session}` })).toBe(false);
    expect(readAllowed(READ, {})).toBe(false);
    expect(readAllowed("other-token-000000000", { cookie: `neoxctl_read=${session}` })).toBe(false);
  });

  it("sets an HttpOnly, SameSite=Strict cookie, Secure over TLS", () => {
    expect(sessionCookie(READ, false)).toMatch(/HttpOnly; SameSite=Strict/);
    expect(sessionCookie(READ, true)).toMatch(/; Secure$/);
    expect(cookieValue("a=1; b = two ", "b")).toBe("two");
  });
});
