import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { connectRedis, createRun, Keys, RunStore, SupervisorWorker } from "@neoxctl/supervisor";
import { AlertStateStore, SupervisorReadModel, WebhookNotifier } from "@neoxctl/dashboard";
import { readRcclTransport } from "@neoxctl/monitor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import type { ScenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";
import { localCluster } from "./harness.ts";

// The network check end to end on the local cluster: two runs whose profile expects RCCL on the OFI
// plugin (as LUMI's and Frontier's do), one without the plugin in the ranks' environment and one
// with a librccl-net.so on their LD_LIBRARY_PATH (where the LUMI bindings module and OLCF's
// rccl-net-plugin module put it). Attempt 1 runs with NCCL_DEBUG=INFO (the plan's doing); the
// per-rank emulator prints RCCL's selection lines inside the container stand-in; the BullMQ worker's
// notify queue carries the warning to the dashboard's webhook notifier and a local hook.
const HOOK_PATH = "/services/T0RCCL/B0NET/rcclH00k";
const hooks: string[] = [];
const supLog: string[] = [];
let server: Server;
let t: Awaited<ReturnType<typeof testRedis>>;
let workerRedis: Redis;
let worker: SupervisorWorker;
let notifier: WebhookNotifier;
let store: RunStore;
let model: SupervisorReadModel;
let sockets: ScenarioInputs;
let plugin: ScenarioInputs;

/** the scenario with the profile's network expectation of LUMI/Frontier, and optionally the plugin on LD_LIBRARY_PATH */
function expectingPlugin(name: string, withPlugin: boolean): ScenarioInputs {
  const s = scenarioInputs({ name, trainIters: 60, lr: 0.0001, env: { NEOX_EMU_STEP_MS: "30" } });
  const env: Record<string, string> = {};
  if (withPlugin) {
    // /tmp is bound into the container; an empty file of the right name is the emulator's plugin
    const lib = join(s.root, "aws-ofi-rccl", "lib");
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(lib, "librccl-net.so"), "");
    env["LD_LIBRARY_PATH"] = lib;
  }
  s.profile = {
    ...s.profile,
    network: { expected_transport: "ofi", expected_provider: "cxi", log_selection: "first_attempt" },
    environment: { ...s.profile.environment, env: { ...s.profile.environment.env, ...env } }
  };
  return s;
}

async function until(what: string, ok: () => Promise<boolean>, rounds = 1500): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not reached; supervisor log:\n${supLog.slice(-25).join("\n")}`);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += String(c)));
    req.on("end", () => {
      if (req.url !== HOOK_PATH) return void res.writeHead(404).end();
      hooks.push((JSON.parse(data) as { text: string }).text);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t = await testRedis("rccl-transport");
  store = new RunStore(t.redis, new Keys(t.prefix));
  model = new SupervisorReadModel({ redis: t.redis, prefix: t.prefix, pollMs: 200 });
  notifier = new WebhookNotifier({
    model,
    state: new AlertStateStore(t.redis, t.prefix),
    urls: [`http://127.0.0.1:${(server.address() as AddressInfo).port}${HOOK_PATH}`],
    baseUrl: "http://127.0.0.1:8080",
    baseDelayMs: 100,
    logger: { info: () => undefined, warn: (o, m) => void supLog.push(`${m} ${JSON.stringify(o)}`) }
  });
  const cluster = localCluster();
  workerRedis = connectRedis();
  worker = new SupervisorWorker(workerRedis, () => cluster, {
    prefix: t.prefix,
    pollIntervalMs: 300,
    leaseTtlMs: 3000,
    log: (l) => supLog.push(l),
    notify: notifier.notify
  });
  await worker.start();
  sockets = expectingPlugin("rccl-sock", false);
  plugin = expectingPlugin("rccl-ofi", true);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  workerRedis?.disconnect();
  notifier?.close();
  await new Promise((r) => server?.close(r));
  await t?.cleanup();
  if (sockets) removeScenario(sockets);
  if (plugin) removeScenario(plugin);
});

describe("RCCL transport check on the local cluster", () => {
  it("a run without the plugin gets one rccl_socket_fallback warning and an alert, and trains on; one with it gets none", async () => {
    const exec = localCluster().exec;
    const sock = await createRun(store, exec, { ...sockets, repoRoot: REPO_ROOT });
    const ofi = await createRun(store, exec, { ...plugin, repoRoot: REPO_ROOT });
    const done = async (id: string): Promise<boolean> => (await store.mustGetRun(id)).state === "completed";
    await until("both runs completed", async () => (await done(sock.id)) && (await done(ofi.id)));
    await notifier.queue.drain();

    // the socket run: one warning for attempt 1, with RCCL's own lines and the nodes, and no stop
    const sockEvents = await store.events(sock.id);
    const warnings = sockEvents.filter((e) => e.type === "rccl_socket_fallback");
    expect(warnings, sockEvents.map((e) => `${e.type}: ${e.cause}`).join("\n")).toHaveLength(1);
    const w = warnings[0]!;
    expect(w.attempt).toBe(1);
    expect(w.cause).toContain("RCCL chose Socket");
    expect(w.evidence.logLines?.some((l) => / NCCL INFO Using network Socket$/.test(l))).toBe(true);
    expect(w.evidence.nodes?.length).toBeGreaterThan(0);
    expect(w.evidence.detail).toMatchObject({ transport: "socket", expectedTransport: "ofi" });
    expect(sockEvents.map((e) => e.type)).toContain("run_completed");
    expect(sockEvents.map((e) => e.type)).not.toContain("needs_attention");
    // the alert, through the notify queue and the dashboard's notifier
    expect(hooks.filter((h) => h.includes("RCCL fell back to TCP sockets"))).toHaveLength(1);
    expect(hooks.find((h) => h.includes("RCCL fell back"))).toContain("rccl-sock");
    // the badge's input
    expect((await model.getRun(sock.id))?.rcclFallbackAttempt).toBe(1);

    // the plugin run: RCCL's lines say AWS Libfabric over cxi, and nothing was raised
    const ofiLog = readFileSync(join(plugin.runDir, "logs", "attempt-1.out"), "utf8").split("\n");
    expect(readRcclTransport(ofiLog)).toMatchObject({ transport: "ofi", provider: "cxi" });
    expect((await store.events(ofi.id)).map((e) => e.type)).not.toContain("rccl_socket_fallback");
    expect(hooks.some((h) => h.includes("rccl-ofi"))).toBe(false);
    expect((await model.getRun(ofi.id))?.rcclFallbackAttempt).toBeUndefined();
  }, 600_000);
});
