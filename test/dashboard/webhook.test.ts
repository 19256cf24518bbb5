import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { Keys, RunStore } from "@neoxctl/supervisor";
import { AlertStateStore, SupervisorReadModel, WebhookNotifier, WebhookQueue } from "@neoxctl/dashboard";
import type { AlertLogger } from "@neoxctl/dashboard";
import { clearPrefix, seedHistory } from "./seed-history.ts";
import type { Seeded } from "./seed-history.ts";

// A real HTTP server on 127.0.0.1 receives the webhooks; the first two posts fail with 500.
const prefix = `test:dashboard-webhook:${process.pid}:${Date.now()}:`;
const SECRET_PATH = "/services/T0NEOX/B0CTL/s3cr3tW3bh00kP4th";
interface Received {
  body: { text: string; blocks: { type: string; elements?: { url: string }[] }[] };
}
const received: Received[] = [];
let failuresLeft = 2;
let server: Server;
let hookUrl: string;
let redis: Redis;
let seeded: Seeded;
const logs: string[] = [];
const logger: AlertLogger = {
  info: (o, m) => logs.push(JSON.stringify({ ...o, m })),
  warn: (o, m) => logs.push(JSON.stringify({ ...o, m }))
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += String(c)));
    req.on("end", () => {
      if (req.url !== SECRET_PATH) return void res.writeHead(404).end();
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        return void res.writeHead(500).end("try later");
      }
      received.push({ body: JSON.parse(data) as Received["body"] });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SECRET_PATH}`;
  redis = new Redis("redis://127.0.0.1:6379");
  seeded = await seedHistory(redis, prefix, 0);
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  if (redis) {
    await clearPrefix(redis, prefix);
    redis.disconnect();
  }
});

describe("webhook alerts", () => {
  it("turns a supervisor needs_attention notice into a Slack-compatible alert with the run link, after retries, once per rate window", async () => {
    const model = new SupervisorReadModel({ redis, prefix });
    const notifier = new WebhookNotifier({
      model,
      state: new AlertStateStore(redis, prefix),
      urls: [hookUrl],
      baseUrl: "https://oncall.example/neox/",
      baseDelayMs: 50,
      maxDelayMs: 200,
      logger
    });
    const store = new RunStore(redis, new Keys(prefix));
    const run = await store.mustGetRun(seeded.pythiaId);
    run.state = "needs_attention";
    run.attention = "crash loop: step 3001 failed 3 times in a row";
    await store.commit(null, [store.putRun(run)]);
    const notice = { runId: run.id, type: "needs_attention" as const, cause: run.attention };
    await notifier.notify(notice);
    // the same event again (a flapping run) stays inside the rate window; completions are not paged
    await notifier.notify(notice);
    await notifier.notify({ runId: run.id, type: "run_completed", cause: "done" });
    await notifier.queue.drain();

    expect(received).toHaveLength(1);
    const msg = received[0]!.body;
    expect(msg.text).toContain("pythia-410m-lumi");
    expect(msg.text).toContain("needs attention");
    expect(msg.text).toContain("crash loop");
    expect(msg.text).toContain(`https://oncall.example/neox/runs/${seeded.pythiaId}`);
    const button = msg.blocks.find((b) => b.type === "actions")?.elements?.[0];
    expect(button?.url).toBe(`https://oncall.example/neox/runs/${seeded.pythiaId}`);
    expect(notifier.queue.stats).toMatchObject({ delivered: 1, retried: 2, failed: 0, pending: 0 });
    expect(logs.some((l) => l.includes("retrying"))).toBe(true);
    expect(logs.join("\n")).not.toContain("s3cr3t");
    expect(logs.join("\n")).toContain("127.0.0.1");
    notifier.close();
  });

  it("alerts on a rollback with its record, and on a node failure only once they repeat", async () => {
    received.length = 0;
    const model = new SupervisorReadModel({ redis, prefix });
    const notifier = new WebhookNotifier({
      model,
      state: new AlertStateStore(redis, prefix),
      urls: [hookUrl],
      baseUrl: "http://127.0.0.1:8080",
      baseDelayMs: 50,
      logger
    });
    // the Bloom run has no node recoveries: a first node failure is not paged
    await notifier.notify({ runId: seeded.bloomId, type: "recover_node", cause: "job ended NODE_FAIL" });
    await notifier.notify({
      runId: seeded.pythiaId,
      type: "rollback",
      cause: "loss spike at step 1600 did not recover; rolled back to step 1000"
    });
    await notifier.notify({
      runId: seeded.pythiaId,
      type: "recover_node",
      cause: "job ended NODE_FAIL on nid005012"
    });
    await notifier.queue.drain();
    notifier.close();
    const texts = received.map((r) => r.body.text).sort();
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain("repeated node failures");
    expect(JSON.stringify(received)).toContain("nid005012 (2×)");
    expect(texts[1]).toContain("rolled back");
    expect(texts[1]).toContain("rolled back to step 1000");
    expect(JSON.stringify(received)).toContain("3.00e-4 → 1.00e-4");
  });

  it("never blocks or throws on an unreachable hook, and gives up after its attempts with the URL redacted", async () => {
    const dead = "http://127.0.0.1:9/services/T1/B1/an0th3rS3cret";
    const local: string[] = [];
    const queue = new WebhookQueue({
      urls: [dead],
      baseDelayMs: 10,
      maxAttempts: 3,
      logger: {
        info: (o, m) => local.push(JSON.stringify(o) + m),
        warn: (o, m) => local.push(JSON.stringify(o) + m)
      }
    });
    expect(queue.enqueue({ text: "x" }, "test")).toBeUndefined();
    expect(queue.stats.pending).toBe(1);
    await queue.drain();
    expect(queue.stats).toMatchObject({ delivered: 0, failed: 1, retried: 2 });
    expect(local.join("\n")).not.toContain("an0th3rS3cret");
  });
});
