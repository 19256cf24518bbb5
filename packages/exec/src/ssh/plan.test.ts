import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
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
});
