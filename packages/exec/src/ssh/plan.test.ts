import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolvePlan } from "./plan.ts";

describe("resolvePlan", () => {
  let dir = "";
  let config = "";
  let key = "";

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "neoxctl-plan-"));
    key = join(dir, "id_test");
    await writeFile(key, "not really a key\n");
    config = join(dir, "config");
    await writeFile(
      config,
      [
        "Host lumi",
        "  HostName lumi.example.org",
        "  User alice",
        "  Port 2200",
        `  IdentityFile ${join(dir, "missing_key")}`,
        `  IdentityFile ${key}`,
        "  ProxyJump bob@bastion:2022,gw",
        "  UserKnownHostsFile ~/kh",
        "Host gw",
        "  HostName gw.example.org",
        "  User carol"
      ].join("\n")
    );
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("resolves an alias with its hops, first existing identity and known_hosts", async () => {
    const plan = await resolvePlan({
      kind: "ssh",
      host: "lumi",
      sshConfigFile: config,
      agentSocket: "/tmp/agent.sock"
    });
    expect(plan.final).toEqual({
      alias: "lumi",
      host: "lumi.example.org",
      port: 2200,
      user: "alice",
      identityFile: key
    });
    expect(plan.hops.map((h) => [h.host, h.user, h.port])).toEqual([
      ["bastion", "bob", 2022],
      ["gw.example.org", "carol", 22]
    ]);
    expect(plan.knownHostsFile).toBe(join(homedir(), "kh"));
    expect(plan.agentSocket).toBe("/tmp/agent.sock");
    expect(plan.keepaliveIntervalMs).toBe(15_000);
  });

  it("lets explicit target fields win over the config", async () => {
    const plan = await resolvePlan({
      kind: "ssh",
      host: "lumi",
      sshConfigFile: config,
      user: "root",
      port: 22,
      identityFile: "/k",
      knownHostsFile: "/kh",
      keepaliveIntervalMs: 1000
    });
    expect(plan.final).toMatchObject({
      host: "lumi.example.org",
      user: "root",
      port: 22,
      identityFile: "/k"
    });
    expect([plan.knownHostsFile, plan.keepaliveIntervalMs]).toEqual(["/kh", 1000]);
  });

  it("follows Include (absolute, wildcard, nested) and a hop's own ProxyJump", async () => {
    const inc = join(dir, "conf.d");
    await mkdir(inc, { recursive: true });
    await writeFile(
      join(inc, "10-site"),
      [
        "Host site",
        "  HostName site.example.org",
        "  ProxyJump inner",
        `  Include ${join(dir, "nested")}`
      ].join("\n")
    );
    await writeFile(
      join(inc, "20-inner"),
      ["Host inner", "  HostName inner.example.org", "  ProxyJump outer"].join("\n")
    );
    await writeFile(join(inc, "skipped.bak~"), "Host site\n  Port 1\n");
    await writeFile(join(dir, "nested"), "  Port 2201\n");
    const main = join(dir, "with-include");
    await writeFile(
      main,
      [`Include ${join(inc, "[0-9]*")} ${join(dir, "absent")}`, "Host outer", "  User olga"].join("\n")
    );
    const plan = await resolvePlan({ kind: "ssh", host: "site", sshConfigFile: main, user: "u" });
    expect([plan.final.host, plan.final.port]).toEqual(["site.example.org", 2201]);
    expect(plan.hops.map((h) => `${h.user}@${h.host}`)).toEqual([
      "olga@outer",
      `${userInfo().username}@inner.example.org`
    ]);
  });

  it("refuses a ProxyJump loop", async () => {
    const loop = join(dir, "loop");
    await writeFile(loop, ["Host a", "  ProxyJump b", "Host b", "  ProxyJump a"].join("\n"));
    await expect(resolvePlan({ kind: "ssh", host: "a", sshConfigFile: loop })).rejects.toThrow(/loop/);
  });
});
