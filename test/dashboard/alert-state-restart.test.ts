import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { Keys, RunStore, SeriesStore } from "@neoxctl/supervisor";
import type { Run } from "@neoxctl/supervisor";
import { AlertStateStore, SupervisorReadModel, WebhookNotifier } from "@neoxctl/dashboard";
import { putRunOps, runRecord } from "../support/run-record.ts";
import { clearPrefix } from "./seed-history.ts";

// The notifier's open alerts and rate limit live in Redis: a notifier that stops (its process
// gone, its Redis connection closed) and a new one started against the same prefix carry on:
// no second page for an alert already sent, and "resolved" still goes out after the restart.
const prefix = `test:alert-state-restart:${process.pid}:${Date.now()}:`;
const received: { path: string; text: string }[] = [];
let server: Server;
let base: string;
let redis: Redis;
let store: RunStore;
let series: SeriesStore;

async function put(r: Run, step: number): Promise<void> {
  await store.commit(
    null,
    putRunOps(
      store,
      r,
      series.appendOps(r.id, [{ step, attempt: 1, loss: 2, time: new Date().toISOString() }])
    )
  );
}

/** One supervisor's notifier with a Redis connection of its own, as `neoxctl supervise` makes it. */
function start(): { n: WebhookNotifier; stop: () => Promise<void> } {
  const own = new Redis("redis://127.0.0.1:6379");
  const n = new WebhookNotifier({
    model: new SupervisorReadModel({ redis: own, prefix }),
    state: new AlertStateStore(own, prefix),
    urls: [`${base}/global`],
    baseUrl: "http://127.0.0.1:8080",
    baseDelayMs: 20,
    resolveCheckMs: 0
  });
  return {
    n,
    stop: async () => {
      await n.queue.drain();
      n.close();
      own.disconnect();
    }
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += String(c)));
    req.on("end", () => {
      received.push({ path: req.url ?? "", text: (JSON.parse(data) as { text: string }).text });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  redis = new Redis("redis://127.0.0.1:6379");
  store = new RunStore(redis, new Keys(prefix));
  series = new SeriesStore(redis, store.keys);
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  if (redis) {
    await clearPrefix(redis, prefix);
    redis.disconnect();
  }
});

describe("alert state across a restart", () => {
  it("a restarted notifier knows the open alert: it does not page again, and sends 'resolved' once the run trains on", async () => {
    received.length = 0;
    const r = runRecord("restart-slow", { trainIters: 1000, attempts: 1 });
    await put(r, 100);

    const first = start();
    await first.n.notify({ runId: r.id, type: "slowdown", cause: "step time 2.1x its baseline" });
    await first.stop();
    expect(received.map((m) => m.text.includes("training slower than its baseline"))).toEqual([true]);

    const second = start();
    expect(await second.n.openAlerts()).toEqual([{ runId: r.id, kind: "slowdown", step: 100 }]);
    // the supervisor re-delivers the same event (a BullMQ retry after the crash): inside the rate window
    await second.n.notify({ runId: r.id, type: "slowdown", cause: "step time 2.1x its baseline" });
    await second.n.queue.drain();
    expect(received).toHaveLength(1);

    // no progress: still open
    await second.n.checkResolved();
    expect(second.n.stats.resolved).toBe(0);
    await put(r, 140);
    await second.n.checkResolved();
    await second.stop();
    expect(received).toHaveLength(2);
    expect(received[1]!.text).toContain("resolved");
    expect(received[1]!.text).toContain("step 140");
    expect(received[1]!.path).toBe("/global");

    const state = new AlertStateStore(redis, prefix);
    expect((await state.openAlerts()).alerts).toEqual([]);
    const [resolved] = await state.resolvedAlerts();
    expect(resolved).toMatchObject({
      runId: r.id,
      kind: "slowdown",
      step: 100,
      resolvedStep: 140,
      via: "global"
    });

    // a third start after the resolution has nothing left to send
    const third = start();
    await third.n.checkResolved();
    await third.stop();
    expect(received).toHaveLength(2);
  });

  it("two supervisors checking at once send 'resolved' once", async () => {
    received.length = 0;
    const r = runRecord("restart-race", { trainIters: 1000, attempts: 1 });
    await put(r, 10);
    const opener = start();
    await opener.n.notify({ runId: r.id, type: "rollback", cause: "rolled back to step 5" });
    await opener.stop();
    await put(r, 30);
    const a = start();
    const b = start();
    await Promise.all([a.n.checkResolved(), b.n.checkResolved()]);
    await Promise.all([a.stop(), b.stop()]);
    expect(a.n.stats.resolved + b.n.stats.resolved).toBe(1);
    expect(received.filter((m) => m.text.includes("resolved"))).toHaveLength(1);
  });

  it("drops an open-alert record that does not match its schema instead of acting on it", async () => {
    const key = `${prefix}alerts:open`;
    await redis.hset(
      key,
      "restart-bad\tslowdown",
      JSON.stringify({ kind: "slowdown", runId: "restart-bad" })
    );
    await redis.hset(key, "restart-bad\trollback", "not json");
    const state = new AlertStateStore(redis, prefix);
    expect(await state.openAlerts()).toEqual({ alerts: [], dropped: 2 });
    expect(await redis.hlen(key)).toBe(0);
  });
});
