import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { Keys, RunStore, SeriesStore } from "@neoxctl/supervisor";
import type { Run } from "@neoxctl/supervisor";
import {
  AlertStateStore,
  parseAlertRoutes,
  SilenceStore,
  SupervisorReadModel,
  WebhookNotifier
} from "@neoxctl/dashboard";
import { putRunOps, runRecord } from "../support/run-record.ts";
import { clearPrefix } from "./seed-history.ts";

// Routed alerts, silences and "resolved" messages, end to end: runs written through the
// supervisor's store in Redis, the notifier the supervisor uses, and a real HTTP receiver on
// 127.0.0.1 with one path per webhook.
const prefix = `test:ops-alert-routing:${process.pid}:${Date.now()}:`;
const received: { path: string; text: string; raw: string }[] = [];
let server: Server;
let base: string;
let redis: Redis;
let store: RunStore;
let series: SeriesStore;

function run(id: string, spec: Record<string, unknown>): Run {
  return runRecord(id, {
    trainIters: 1000,
    attempts: 1,
    planInput: { spec: { name: id, ...spec }, profile: { name: "testlumi" }, manifest: {} }
  });
}

async function put(r: Run, step: number): Promise<void> {
  await store.commit(
    null,
    putRunOps(store, r, [
      ...series.appendOps(r.id, [{ step, attempt: 1, loss: 2, time: new Date().toISOString() }])
    ])
  );
}

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const paths = (): string[] => received.map((r) => r.path).sort();

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += String(c)));
    req.on("end", () => {
      received.push({ path: req.url ?? "", text: (JSON.parse(data) as { text: string }).text, raw: data });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  redis = new Redis("redis://127.0.0.1:6379");
  const keys = new Keys(prefix);
  store = new RunStore(redis, keys);
  series = new SeriesStore(redis, keys);
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  if (redis) {
    await clearPrefix(redis, prefix);
    redis.disconnect();
  }
});

function notifier(): WebhookNotifier {
  const routes = parseAlertRoutes(
    [
      "webhooks:",
      `  nlp-hook: ${base}/nlp`,
      `  own-hook: ${base}/own`,
      "teams:",
      "  nlp: { webhooks: [nlp-hook], min_severity: warning }",
      "global: { min_severity: info }"
    ].join("\n")
  );
  return new WebhookNotifier({
    model: new SupervisorReadModel({ redis, prefix }),
    state: new AlertStateStore(redis, prefix),
    urls: [`${base}/global`],
    routes,
    silences: new SilenceStore(redis, prefix),
    baseUrl: "http://127.0.0.1:8080",
    baseDelayMs: 20,
    resolveCheckMs: 0
  });
}

describe("alert routing, silences and resolved messages", () => {
  it("sends each alert to the run's own webhook, its team's, or the global list, above each route's minimum", async () => {
    received.length = 0;
    await put(
      run("ops-route-own", { team: "nlp", alerts: { webhooks: ["own-hook"], min_severity: "info" } }),
      10
    );
    await put(run("ops-route-team", { team: "nlp" }), 10);
    await put(run("ops-route-none", {}), 10);
    const n = notifier();
    for (const runId of ["ops-route-own", "ops-route-team", "ops-route-none"])
      await n.notify({ runId, type: "needs_attention", cause: `${runId} is stuck` });
    // node_suspect is info: below the nlp team's minimum (warning), so the team hook does not get it
    await n.notify({ runId: "ops-route-team", type: "node_suspect", cause: "nid003 slow" });
    await n.queue.drain();
    n.close();
    expect(paths()).toEqual(["/global", "/nlp", "/own"]);
    expect(received.find((r) => r.path === "/own")?.text).toContain("ops-route-own is stuck");
    expect(received.find((r) => r.path === "/nlp")?.text).toContain("ops-route-team is stuck");
    expect(n.stats).toMatchObject({ sent: 3, unrouted: 1 });
  });

  it("a silence on a run or a team suppresses its alerts until it expires or is removed", async () => {
    received.length = 0;
    const silences = new SilenceStore(redis, prefix);
    await put(run("ops-silence-a", { team: "vision" }), 10);
    await put(run("ops-silence-b", { team: "vision" }), 10);
    const team = await silences.add({
      target: { kind: "team", team: "vision" },
      forMs: 60_000,
      reason: "maintenance",
      by: "cli:test"
    });
    // a silence of 300 ms on one run: it ends by itself in Redis
    const short = await silences.add({
      target: { kind: "run", run: "ops-silence-a" },
      forMs: 300,
      reason: "brief",
      by: "cli:test"
    });
    expect((await silences.list()).map((s) => s.id).sort()).toEqual([team.id, short.id].sort());
    const n = notifier();
    await n.notify({ runId: "ops-silence-a", type: "needs_attention", cause: "a stuck" });
    await n.notify({ runId: "ops-silence-b", type: "needs_attention", cause: "b stuck" });
    await n.queue.drain();
    expect(received).toHaveLength(0);
    expect(n.stats.silenced).toBe(2);

    expect(await silences.remove(team.id)).toBe(true);
    expect(await silences.remove(team.id)).toBe(false);
    await n.notify({ runId: "ops-silence-b", type: "slowdown", cause: "b slow" });
    await n.queue.drain();
    expect(paths()).toEqual(["/global"]);

    await until("the short silence to expire", async () => (await silences.list()).length === 0);
    await n.notify({ runId: "ops-silence-a", type: "slowdown", cause: "a slow" });
    await n.queue.drain();
    n.close();
    expect(received.map((r) => r.text).join("\n")).toContain("a slow");
  });

  it("reaches a URL named in the spec even without a global list or routes file", async () => {
    received.length = 0;
    await put(
      run("ops-route-direct", { alerts: { webhooks: [`${base}/direct`], min_severity: "info" } }),
      10
    );
    const n = new WebhookNotifier({
      model: new SupervisorReadModel({ redis, prefix }),
      state: new AlertStateStore(redis, prefix),
      urls: [],
      baseUrl: "http://127.0.0.1:8080",
      resolveCheckMs: 0
    });
    await n.notify({ runId: "ops-route-direct", type: "needs_attention", cause: "direct" });
    await n.notify({ runId: "ops-route-team", type: "needs_attention", cause: "nowhere to go" });
    await n.queue.drain();
    n.close();
    expect(paths()).toEqual(["/direct"]);
    expect(n.stats).toMatchObject({ sent: 1, unrouted: 1 });
  });

  it("says who cancelled a run (an info alert carrying the actor)", async () => {
    received.length = 0;
    await put(run("ops-route-cancel", { team: "ops" }), 10);
    const n = notifier();
    await n.notify({
      runId: "ops-route-cancel",
      type: "cancelled_by_user",
      cause: "cancelled by the user",
      actor: "cli:alice"
    });
    await n.queue.drain();
    n.close();
    expect(paths()).toEqual(["/global"]);
    expect(received[0]!.text).toContain("cancelled by a human");
    expect(received[0]!.raw).toContain("cli:alice");
  });

  it("sends 'resolved' where the alert went once the run trains past the step it was at", async () => {
    received.length = 0;
    const r = run("ops-resolve", { team: "nlp" });
    await put(r, 100);
    const n = notifier();
    await n.notify({ runId: r.id, type: "slowdown", cause: "step time 2.1x its baseline" });
    await n.queue.drain();
    // open alerts are shared in Redis: the earlier tests' slowdowns are there too
    const mine = async (): Promise<unknown[]> => (await n.openAlerts()).filter((a) => a.runId === r.id);
    expect(await mine()).toEqual([{ runId: r.id, kind: "slowdown", step: 100 }]);
    // no progress yet: nothing resolved
    await n.checkResolved();
    expect(n.stats.resolved).toBe(0);
    await put(r, 140);
    await until("the resolved message", async () => {
      await n.checkResolved();
      await n.queue.drain();
      return received.some((m) => m.text.includes("resolved"));
    });
    n.close();
    expect(paths()).toEqual(["/nlp", "/nlp"]);
    const resolved = received.find((m) => m.text.includes("resolved"))!;
    expect(resolved.text).toContain("training slower than its baseline");
    expect(resolved.text).toContain("step 140");
    expect(await mine()).toEqual([]);
  });
});
