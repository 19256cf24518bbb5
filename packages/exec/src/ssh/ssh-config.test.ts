import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { describe, expect, it } from "vitest";
import { parseProxyJump, resolveHostConfig } from "./ssh-config.ts";

const CONFIG = `
# global default comes last in OpenSSH practice; first value wins
Host lumi
  HostName lumi.csc.fi
  User alice
  IdentityFile ~/.ssh/id_lumi
  ProxyJump bastion

Host bastion
  HostName=gw.example.org
  Port 2200

Host *.internal !secret.internal
  User ops

Match host lumi
  User ignored

Host *
  User fallback
  Port 22
  IdentityFile %d/.ssh/id_ed25519
`;

describe("resolveHostConfig", () => {
  it("takes the first value per keyword and accumulates IdentityFile", () => {
    expect(resolveHostConfig(CONFIG, "lumi")).toEqual({
      alias: "lumi",
      hostName: "lumi.csc.fi",
      user: "alice",
      port: 22,
      proxyJump: "bastion",
      identityFiles: [`${homedir()}/.ssh/id_lumi`, `${homedir()}/.ssh/id_ed25519`]
    });
  });

  it("accepts Keyword=value and honours negated patterns", () => {
    expect(resolveHostConfig(CONFIG, "bastion")).toMatchObject({
      hostName: "gw.example.org",
      port: 2200,
      user: "fallback"
    });
    expect(resolveHostConfig(CONFIG, "a.internal").user).toBe("ops");
    expect(resolveHostConfig(CONFIG, "secret.internal").user).toBe("fallback");
  });

  it("leaves unknown hosts to the caller's defaults", () => {
    expect(resolveHostConfig("", "x")).toEqual({ alias: "x", identityFiles: [] });
  });
});

describe("Match blocks", () => {
  const MATCHING = `
Host lumi
  HostName lumi.csc.fi

Match host *.csc.fi user alice
  Port 2222

Match originalhost lumi
  IdentityFile ~/.ssh/id_match

Match exec "touch /tmp/neoxctl-match-exec-ran"
  User exec-user

Match all
  User everyone
`;

  it("applies Match host (after HostName), user, originalhost and all; never runs Match exec", () => {
    expect(resolveHostConfig(MATCHING, "lumi", "alice")).toMatchObject({
      hostName: "lumi.csc.fi",
      port: 2222,
      identityFiles: [`${homedir()}/.ssh/id_match`]
    });
    const other = resolveHostConfig(MATCHING, "lumi");
    expect(other.port).toBeUndefined();
    expect(other.user).toBe("everyone");
    expect(existsSync("/tmp/neoxctl-match-exec-ran")).toBe(false);
  });
});

describe("parseProxyJump", () => {
  it("splits hops with user and port", () => {
    expect(parseProxyJump("bob@gw:2200, [::1]:22,plain")).toEqual([
      { host: "gw", user: "bob", port: 2200 },
      { host: "::1", port: 22 },
      { host: "plain" }
    ]);
  });
});
