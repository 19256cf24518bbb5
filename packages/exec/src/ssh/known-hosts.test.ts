import { describe, expect, it } from "vitest";
import { fingerprintSha256, knownHostsName } from "./host-key.ts";
import { checkHostKey, hostsFieldMatches, knownKeyTypes, parseKnownHosts } from "./known-hosts.ts";

// two real ed25519 public keys; the hashed line was written by `ssh-keygen -H` for [login.example.org]:2222
const K1 = "AAAAC3NzaC1lZDI1NTE5AAAAIErpQ8vvXfz/rRskG0CY5d69BaC+ztVmOHCBBAjYM9Nx";
const K2 = "AAAAC3NzaC1lZDI1NTE5AAAAIIvWP3Z373UBm2Lo37Gqclptau2pScHlV2CJ4OjKvdk4";
const HASHED = `|1|DqbYWIbKWOitVBqnf7rRCE7k04g=|rf8ArTNktGr7b9s3oBSC0bA502I= ssh-ed25519 ${K1}`;
const k1 = Buffer.from(K1, "base64");
const k2 = Buffer.from(K2, "base64");

describe("fingerprints", () => {
  it("matches what ssh-keygen -l prints", () => {
    expect(fingerprintSha256(k1)).toBe("SHA256:1LHG6KSuMRrbJK65f3GDAVEH7OhqpK8DCSjbUQkcFAM");
  });
  it("names non-22 ports in brackets", () => {
    expect(knownHostsName("h", 22)).toBe("h");
    expect(knownHostsName("h", 2222)).toBe("[h]:2222");
  });
});

describe("parseKnownHosts", () => {
  it("skips comments, blank, unknown-marker and malformed lines and keeps markers", () => {
    const entries = parseKnownHosts(
      [
        `# comment`,
        ``,
        `a.org ssh-ed25519 ${K1} some comment`,
        `@revoked * ssh-ed25519 ${K2}`,
        `@weird x ssh-ed25519 ${K1}`,
        `b.org ssh-rsa ${K1}`,
        `c.org`
      ].join("\n")
    );
    expect(entries.map((e) => [e.hosts, e.marker, e.line])).toEqual([
      ["a.org", "none", 3],
      ["*", "revoked", 4]
    ]);
  });
});

describe("hostsFieldMatches", () => {
  it("handles lists, wildcards, negation and brackets", () => {
    expect(hostsFieldMatches("a.org,b.org", "b.org")).toBe(true);
    expect(hostsFieldMatches("*.example.org", "login.example.org")).toBe(true);
    expect(hostsFieldMatches("*.example.org,!bad.example.org", "bad.example.org")).toBe(false);
    expect(hostsFieldMatches("n?d", "nid")).toBe(true);
    expect(hostsFieldMatches("[h]:2222", "[h]:2222")).toBe(true);
    expect(hostsFieldMatches("h", "[h]:2222")).toBe(false);
  });
  it("matches hashed names written by ssh-keygen -H", () => {
    const [hashed] = HASHED.split(" ");
    expect(hostsFieldMatches(hashed ?? "", "[login.example.org]:2222")).toBe(true);
    expect(hostsFieldMatches(hashed ?? "", "login.example.org")).toBe(false);
  });
});

describe("checkHostKey", () => {
  const entries = parseKnownHosts(
    [HASHED, `other.org ssh-ed25519 ${K2}`, `rsa.org ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7`].join("\n")
  );
  const name = "[login.example.org]:2222";

  it("trusts the recorded key", () => {
    expect(checkHostKey(entries, name, k1).status).toBe("trusted");
  });
  it("reports a different key of the same type as changed", () => {
    const v = checkHostKey(entries, name, k2);
    expect(v.status).toBe("changed");
  });
  it("reports a host with no entry as unknown", () => {
    expect(checkHostKey(entries, "nobody.org", k1)).toEqual({ status: "unknown", otherKeyTypes: [] });
  });
  it("refuses a revoked key even when the host lists it", () => {
    const withRevoked = [...parseKnownHosts(`@revoked * ssh-ed25519 ${K1}`), ...entries];
    expect(checkHostKey(withRevoked, name, k1).status).toBe("revoked");
  });
  it("lists the key types known for a host", () => {
    expect(knownKeyTypes(entries, name)).toEqual(["ssh-ed25519"]);
    expect(knownKeyTypes(entries, "nobody.org")).toEqual([]);
  });
});
