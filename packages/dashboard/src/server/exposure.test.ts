import { describe, expect, it } from "vitest";
import { allowedHostSet, bindPolicy, hostOfHeader, isLoopbackHost } from "./exposure.ts";

describe("bindPolicy", () => {
  it("binds loopback freely and refuses anything else without --allow-remote", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost", "[::1]"])
      expect(bindPolicy({ host, allowRemote: false, tls: false, readToken: false })).toEqual({
        warnings: []
      });
    for (const host of ["0.0.0.0", "::", "10.1.2.3", "dash.example.org", "::ffff:10.0.0.1"])
      expect(
        bindPolicy({ host, allowRemote: false, tls: false, readToken: false }).refused,
        host
      ).toBeDefined();
  });

  it("warns when allowed without TLS, without a read token, or on every interface", () => {
    const all = bindPolicy({ host: "0.0.0.0", allowRemote: true, tls: false, readToken: false });
    expect(all.refused).toBeUndefined();
    expect(all.warnings.join("\n")).toMatch(/plain HTTP[\s\S]*read token[\s\S]*every interface/);
    expect(bindPolicy({ host: "10.0.0.2", allowRemote: true, tls: true, readToken: true }).warnings).toEqual(
      []
    );
  });
});

describe("Host checks", () => {
  it("parses Host headers and refuses malformed ones", () => {
    expect(hostOfHeader("Localhost:8080")).toBe("localhost");
    expect(hostOfHeader("[::1]:8080")).toBe("::1");
    expect(hostOfHeader("dash.example.org.")).toBe("dash.example.org");
    for (const bad of [undefined, "", "a b", "user@host", "host/x", "[::1", "h:p:q"])
      expect(hostOfHeader(bad)).toBeUndefined();
  });

  it("allows loopback names, the bind address unless a wildcard, and the extra names", () => {
    expect([...allowedHostSet("0.0.0.0", ["Dash.Example.org"])].sort()).toEqual(
      ["127.0.0.1", "::1", "dash.example.org", "localhost"].sort()
    );
    expect(allowedHostSet("10.0.0.2").has("10.0.0.2")).toBe(true);
    expect(isLoopbackHost("127.0.0.1.nip.io")).toBe(false);
  });
});
