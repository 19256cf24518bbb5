import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { Keys } from "@neoxctl/supervisor";
import { buildDashboard, SupervisorReadModel } from "@neoxctl/dashboard";
import type { Dashboard } from "@neoxctl/dashboard";
import { clearPrefix, seedHistory } from "./seed-history.ts";
import type { Seeded } from "./seed-history.ts";
import { parsePromText } from "./prom-text-parser.ts";

const prefix = `test:dashboard-metrics:${process.pid}:${Date.now()}:`;
let redis: Redis;
let dash: Dashboard;
let seeded: Seeded;
let base: string;

beforeAll(async () => {
  redis = new Redis("redis://127.0.0.1:6379");
  seeded = await seedHistory(redis, prefix, 50);
  dash = await buildDashboard({ model: new SupervisorReadModel({ redis, prefix }) });
  base = await dash.app.listen({ host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await dash?.close();
  if (redis) {
    await clearPrefix(redis, prefix);
    redis.disconnect();
  }
});

describe("/metrics", () => {
  it("parses strictly and carries runs by state, step, loss, throughput, recoveries and progress age", async () => {
    // what the supervisor writes after each status poll of a cluster
    await redis.hset(
      new Keys(prefix).slurmPoll(),
      "lumi-g",
      JSON.stringify({ seconds: 0.42, at: new Date().toISOString() })
    );
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const families = parsePromText(await res.text());
    const value = (name: string, labels: Record<string, string>): number | undefined =>
      families.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value;

    expect(families.get("neoxctl_runs")?.type).toBe("gauge");
    expect(value("neoxctl_runs", { state: "completed" })).toBe(50);
    expect(value("neoxctl_runs", { state: "needs_attention" })).toBe(1);
    expect(value("neoxctl_runs", { state: "running" })).toBe(1);
    expect(value("neoxctl_runs", { state: "failed" })).toBe(1);
    expect(value("neoxctl_runs", { state: "cancelled" })).toBe(0);

    const pythia = { run: seeded.pythiaId };
    expect(value("neoxctl_run_step", pythia)).toBe(3000);
    expect(value("neoxctl_run_train_iters", pythia)).toBe(143000);
    expect(value("neoxctl_run_loss", pythia)).toBeCloseTo(2.7514, 3);
    // 1024 × 2048 tokens per step over the mean step time of the last batch
    expect(value("neoxctl_run_tokens_per_second", pythia)).toBeGreaterThan(0);
    expect(value("neoxctl_run_last_progress_age_seconds", pythia)).toBeGreaterThan(0);
    expect(value("neoxctl_run_attempt", pythia)).toBe(4);
    // the seeded Pythia run (node failures, a rollback): its wall clock split by category adds up to
    // the ratio's denominator, the productive part over it
    const ett = value("neoxctl_run_effective_training_ratio", pythia);
    expect(ett).toBeGreaterThan(0);
    expect(ett).toBeLessThan(1);
    const parts = (families.get("neoxctl_run_wall_seconds")?.samples ?? []).filter(
      (x) => x.labels["run"] === seeded.pythiaId
    );
    const total = parts.reduce((a, x) => a + x.value, 0);
    const productive = parts.find((x) => x.labels["category"] === "productive")?.value ?? 0;
    expect(productive / total).toBeCloseTo(ett!, 6);
    // finished runs do not produce per-run series
    expect(value("neoxctl_run_step", { run: "done-0001" })).toBeUndefined();

    expect(families.get("neoxctl_recoveries_total")?.type).toBe("counter");
    expect(value("neoxctl_recoveries_total", { cause: "node" })).toBe(2);
    expect(value("neoxctl_recoveries_total", { cause: "spike" })).toBe(1);
    expect(value("neoxctl_recoveries_total", { cause: "timeout" })).toBe(1);
    expect(value("neoxctl_slurm_poll_latency_seconds", { cluster: "lumi-g" })).toBe(0.42);
  });

  // issue 13, finding 5: after a failed read the last gauges stayed, progress age frozen, answered 200
  it("answers 503 without run series when the store cannot be read, and recovers", async () => {
    const own = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: 0 });
    const d = await buildDashboard({ model: new SupervisorReadModel({ redis: own, prefix }) });
    try {
      const url = `${await d.app.listen({ host: "127.0.0.1", port: 0 })}/metrics`;
      const age = (text: string): number | undefined =>
        parsePromText(text)
          .get("neoxctl_run_last_progress_age_seconds")
          ?.samples.find((x) => x.labels["run"] === seeded.pythiaId)?.value;
      const errors = (text: string): number | undefined =>
        parsePromText(text).get("neoxctl_dashboard_scrape_errors_total")?.samples[0]?.value;
      const good = await fetch(url);
      const goodText = await good.text();
      expect(good.status).toBe(200);
      expect(age(goodText)).toBeGreaterThan(0);
      expect(errors(goodText)).toBe(0);

      own.disconnect(); // the store goes away
      const bad = await fetch(url);
      const badText = await bad.text();
      expect(bad.status).toBe(503);
      expect(age(badText)).toBeUndefined();
      expect(parsePromText(badText).get("neoxctl_run_step")?.samples ?? []).toEqual([]);
      expect(errors(badText)).toBe(1);

      await own.connect();
      const back = await fetch(url);
      expect(back.status).toBe(200);
      expect(age(await back.text())).toBeGreaterThan(0);
    } finally {
      await d.close();
      own.disconnect();
    }
  });

  it("rejects malformed exposition text (the parser can fail)", () => {
    expect(() => parsePromText('a{b="c} 1\n')).toThrow();
    expect(() => parsePromText("a 1 2 3\n")).toThrow();
    expect(() => parsePromText("# TYPE a bogus\n")).toThrow();
    expect(() => parsePromText("a 1\na 2\n")).toThrow();
    expect(() => parsePromText("a one\n")).toThrow();
    expect(parsePromText('a{b="q\\"x\\\\y\\n"} +Inf\n').get("a")?.samples[0]?.labels["b"]).toBe('q"x\\y\n');
  });
});
