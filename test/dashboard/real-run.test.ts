import { copyFileSync, mkdirSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { connectRedis, createRun, Keys, RunStore, SeriesStore, SupervisorWorker } from "@neoxctl/supervisor";
import type { Redis } from "ioredis";
import type { Run, StepPoint, StoredEvent } from "@neoxctl/supervisor";
import {
  AlertStateStore,
  buildDashboard,
  SupervisorActions,
  SupervisorReadModel,
  WebhookNotifier
} from "@neoxctl/dashboard";
import type { Dashboard } from "@neoxctl/dashboard";
import { REPO_ROOT, removeScenario, scenarioInputs } from "../supervisor/scenario.ts";
import type { ScenarioInputs } from "../supervisor/scenario.ts";
import { nodeFault, RECOVERY, recoveryInputs } from "../supervisor/recovery-scenario.ts";
import type { NodeFault } from "../supervisor/recovery-scenario.ts";
import { testRedis } from "../supervisor/redis-helpers.ts";
import { localCluster } from "../supervisor/harness.ts";
import { parsePromText } from "./prom-text-parser.ts";

// The dashboard against histories the real supervisor wrote: the BullMQ worker plays the recovery
// scenario (node DOWN → hang → loss spike → rollback with a lower LR → completed) and a crash loop
// (→ needs_attention) on the local Slurm cluster with the NeoX emulator, into a private key prefix.
// Alerts travel the one alert path (supervisor notify queue → WebhookNotifier) to a local hook.
const SHOTS = "test-results/screenshots";
const TOKEN = `tok-${randomBytes(16).toString("hex")}`;
const HOOK_PATH = "/services/T0REAL/B0RUN/r3alH00kS3cret";
const TERMINAL = new Set(["completed", "failed", "cancelled", "needs_attention"]);

interface Hook {
  text: string;
  blocks: { type: string; elements?: { url: string }[] }[];
}
const hooks: Hook[] = [];
const alertLogs: string[] = [];
const supLog: string[] = [];
let server: Server;
let t: Awaited<ReturnType<typeof testRedis>>;
let store: RunStore;
let series: SeriesStore;
let worker: SupervisorWorker;
let workerRedis: Redis;
let notifier: WebhookNotifier;
let browser: Browser;
let withToken: Dashboard;
let base: string;
let recovery: ScenarioInputs;
let crashing: ScenarioInputs;
let fault: NodeFault;
let real: Run;
let crashId: string;

async function until(what: string, ok: () => Promise<boolean>, rounds = 1500): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not reached; supervisor log:\n${supLog.slice(-25).join("\n")}`);
}

const settled = async (runId: string): Promise<boolean> =>
  TERMINAL.has((await store.mustGetRun(runId)).state);

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += String(c)));
    req.on("end", () => {
      if (req.url !== HOOK_PATH) return void res.writeHead(404).end();
      hooks.push(JSON.parse(data) as Hook);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${HOOK_PATH}`;

  t = await testRedis("dash-real");
  store = new RunStore(t.redis, new Keys(t.prefix));
  series = new SeriesStore(t.redis, store.keys);
  const model = new SupervisorReadModel({ redis: t.redis, prefix: t.prefix, pollMs: 200 });
  withToken = await buildDashboard({ model, actions: new SupervisorActions(model.store), token: TOKEN });
  base = await withToken.app.listen({ host: "127.0.0.1", port: 0 });

  const line = (o: object, m: string): void => void alertLogs.push(`${m} ${JSON.stringify(o)}`);
  notifier = new WebhookNotifier({
    model,
    state: new AlertStateStore(t.redis, t.prefix),
    urls: [hookUrl],
    baseUrl: base,
    baseDelayMs: 100,
    logger: { info: line, warn: line }
  });
  const cluster = localCluster();
  // BullMQ needs a connection without a per-request retry limit: the supervisor's own connect
  workerRedis = connectRedis();
  worker = new SupervisorWorker(workerRedis, () => cluster, {
    prefix: t.prefix,
    pollIntervalMs: 300,
    leaseTtlMs: 3000,
    log: (l) => supLog.push(l),
    notify: notifier.notify
  });
  await worker.start();

  recovery = recoveryInputs("dash-real");
  const run = await createRun(store, cluster.exec, { ...recovery, repoRoot: REPO_ROOT });
  fault = nodeFault(store, series, run.id, "neoxctl-dash-real");
  await until("recovery scenario end", async () => {
    await fault.tick();
    return settled(run.id);
  });
  fault.restore();
  real = await store.mustGetRun(run.id);

  // the same step crashes every time: three failures in a row leave the run for a human
  crashing = scenarioInputs({
    name: "dash-crash",
    trainIters: 400,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "30", NEOX_EMU_CRASH_AT: "35", NEOX_EMU_CRASH_REPEAT: "1" }
  });
  crashId = (await createRun(store, cluster.exec, { ...crashing, repoRoot: REPO_ROOT })).id;
  await until("crash loop → needs_attention", () => settled(crashId));
  // notify jobs run on their own BullMQ worker; give them until both alerts are queued
  await until("alerts queued", async () => hooks.length + notifier.queue.stats.pending >= 2, 100).catch(
    () => undefined
  );
  await notifier.queue.drain();

  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  });
  mkdirSync(SHOTS, { recursive: true });
}, 900_000);

afterAll(async () => {
  fault?.restore();
  await browser?.close();
  await withToken?.close();
  // a run still holding a job is cancelled by the worker before it stops
  if (
    crashId &&
    worker &&
    !["cancelled", "completed", "failed"].includes((await store.mustGetRun(crashId)).state)
  ) {
    await new SupervisorActions(store).perform({ kind: "cancel", runId: crashId, actor: "dashboard:test" });
    await until(
      "cleanup cancel",
      async () => (await store.mustGetRun(crashId)).state === "cancelled",
      300
    ).catch(() => undefined);
  }
  await worker?.stop();
  workerRedis?.disconnect();
  notifier?.close();
  await new Promise((r) => server?.close(r));
  await t?.cleanup();
  if (recovery) removeScenario(recovery);
  if (crashing) removeScenario(crashing);
}, 120_000);

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("dialog", (d) => void d.accept());
  await page.goto(`${base}${path}`);
  return page;
}

/** First step each attempt logged, straight from the supervisor's series stream. */
function firstSteps(points: readonly StepPoint[]): Map<number, number> {
  const first = new Map<number, number>();
  for (const p of points)
    if (!first.has(p.attempt) || p.step < first.get(p.attempt)!) first.set(p.attempt, p.step);
  return first;
}

describe("dashboard on real supervisor histories (local Slurm + emulator)", () => {
  it("the supervisor played the scenario: completed after node, hang and rollback recoveries", async () => {
    const events = await store.events(real.id);
    const trail = events.map((e) => `${e.type}: ${e.cause}`).join("\n");
    expect(real.state, trail).toBe("completed");
    // on a loaded machine attempt 1 can reach the hang step before its node goes down, and the node
    // failure then ends the hang first (the emulator fires each fault once per run); the exact order
    // with the hang is test/supervisor/e2e.test.ts's job
    const recoveries = events
      .filter((e) => e.type.startsWith("recover_") || e.type === "rollback")
      .map((e) => e.type);
    expect(
      [
        ["recover_node", "recover_hang", "rollback"],
        ["recover_node", "rollback"]
      ],
      trail
    ).toContainEqual(recoveries);
    expect(real.rollbacks).toHaveLength(1);
    expect(fault.downed).toBeDefined();
    console.log(
      `real run ${real.id}: ${real.attempts} attempts, ${(await series.read(real.id)).length} series points, ${events.length} events, rollback ${JSON.stringify(real.rollbacks[0])}, node ${fault.downed} excluded`
    );
  });

  it("lists the real runs: needs_attention first, the scenario run completed at its last step", async () => {
    // finished runs are collapsed on the overview unless asked for
    const page = await open("/?history=open");
    await page.waitForSelector("#live[data-live=open]");
    const rows = page.locator("#runs tr[data-run-id]");
    expect(await rows.count()).toBe(2);
    expect(await rows.first().getAttribute("data-run-id")).toBe(crashId);
    expect(await rows.first().getAttribute("data-state")).toBe("needs_attention");
    const row = page.locator(`tr[data-run-id="${real.id}"]`);
    expect(await row.getAttribute("data-state")).toBe("completed");
    expect(await row.locator("td").nth(2).innerText()).toContain(
      `${RECOVERY.trainIters} / ${RECOVERY.trainIters}`
    );
    await page.screenshot({ path: `${SHOTS}/overview-real.png` });
    await page.close();
  });

  it("draws the real loss curve: discarded segment, spike at the real onset, rollback, LR change and restarts", async () => {
    const points = await series.read(real.id);
    const first = firstSteps(points);
    const rb = real.rollbacks[0]!;
    const attemptsAfter = [...first.keys()].filter((a) => a > 1).sort((a, b) => a - b);
    const laterMin = (a: number): number => Math.min(...[...first].filter(([b]) => b > a).map(([, s]) => s));
    const discardedSteps = new Set(points.filter((p) => p.step >= laterMin(p.attempt)).map((p) => p.step));

    const page = await open(`/runs/${real.id}`);
    const loss = page.locator("#chart-loss[data-ready=true]");
    await loss.waitFor();
    const markers = JSON.parse((await loss.getAttribute("data-markers")) ?? "{}") as Record<string, number[]>;
    expect(markers.spike).toContain(rb.onsetStep);
    expect(rb.onsetStep).toBeGreaterThanOrEqual(RECOVERY.spikeAt);
    // the supervisor records the attempt that saw the spike; the rollback runs as the next attempt,
    // from the step after the checkpoint it chose
    expect(first.get(rb.attempt + 1)).toBe(rb.toStep + 1);
    expect(markers.rollback).toEqual([rb.toStep + 1]);
    expect(markers.lr_change).toEqual([rb.toStep + 1]);
    expect(markers.restart).toEqual(
      [...new Set(attemptsAfter.map((a) => first.get(a)!))].sort((a, b) => a - b)
    );
    const chart = await page.evaluate(() => {
      const c = (globalThis as unknown as { __neoxctlCharts: Record<string, { data: (number | null)[][] }> })
        .__neoxctlCharts;
      const count = (col: (number | null)[] | undefined): number =>
        (col ?? []).filter((v) => v !== null).length;
      return { kept: count(c.loss!.data[1]), discarded: count(c.loss!.data[2]) };
    });
    expect(discardedSteps.size).toBeGreaterThan(0);
    expect(chart.discarded).toBe(discardedSteps.size);
    expect(chart.kept).toBe(RECOVERY.trainIters);

    expect(await page.locator("#attempts tbody tr").count()).toBe(real.attempts);
    expect(await page.locator(`#excluded tr[data-node="${fault.downed}"]`).count()).toBe(1);

    const events: StoredEvent[] = await store.events(real.id);
    expect(await page.locator("#decisions li.event").count()).toBe(events.length);
    const rollback = page.locator('#decisions li[data-event-type="rollback"]');
    await rollback.locator("summary").click();
    expect(await rollback.innerText()).toContain(`step ${rb.onsetStep}`);
    expect(await rollback.locator(".checkpoint").innerText()).toContain(String(rb.toStep));
    expect(await rollback.locator("table.config-diff").innerText()).toContain("lr");
    expect((await rollback.locator("pre.log-excerpt").innerText()).length).toBeGreaterThan(0);
    const node = page.locator('#decisions li[data-event-type="recover_node"]');
    await node.locator("summary").click();
    expect(await node.innerText()).toContain(fault.downed!);
    if (events.some((e) => e.type === "recover_hang"))
      await page.locator('#decisions li[data-event-type="recover_hang"] summary').click();
    await page.screenshot({ path: `${SHOTS}/run-page-real.png`, fullPage: true });
    copyFileSync(`${SHOTS}/run-page-real.png`, "docs/screenshots/dashboard-run-page.png");
    await page.close();
  });

  it("received the real rollback and needs_attention alerts on the webhook, linked, hook URL never logged", () => {
    const rollback = hooks.find((h) => h.text.includes("rolled back") && h.text.includes(real.id));
    expect(rollback, JSON.stringify(hooks.map((h) => h.text))).toBeDefined();
    expect(rollback!.text).toContain(`step ${real.rollbacks[0]!.onsetStep}`);
    expect(rollback!.blocks.find((b) => b.type === "actions")?.elements?.[0]?.url).toBe(
      `${base}/runs/${real.id}`
    );
    const attention = hooks.find((h) => h.text.includes("needs attention") && h.text.includes(crashId));
    expect(attention, JSON.stringify(hooks.map((h) => h.text))).toBeDefined();
    expect(attention!.text).toMatch(/crash loop/);
    // completions and a single node failure are not paged
    expect(hooks).toHaveLength(2);
    expect(alertLogs.join("\n")).not.toContain("r3alH00kS3cret");
    expect(supLog.some((l) => l.startsWith(`NOTIFY ${real.id}: rollback`))).toBe(true);
  });

  it("acknowledges the stuck run from the page with the token; the running supervisor carries it out", async () => {
    const page = await open(`/runs/${crashId}`);
    await page.fill("#action-token", TOKEN);
    await page.click('button[data-action="ack"]');
    await page.click("#confirm-yes");
    await page.waitForSelector("#action-result[data-status]");
    expect(await page.locator("#action-result").getAttribute("data-status")).toBe("200");
    await until(
      "acknowledged event",
      async () => (await store.events(crashId)).some((e) => e.type === "acknowledged"),
      300
    );
    // the page is live: the supervisor's event shows up without a reload
    await page.locator('#decisions li[data-event-type="acknowledged"]').waitFor();
    const run = await store.mustGetRun(crashId);
    expect(run.crashLoop).toBeNull();
    expect(await page.content()).not.toContain(TOKEN);
    await page.close();

    const cancel = await fetch(`${base}/api/runs/${crashId}/actions/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` }
    });
    expect(cancel.status).toBe(200);
    await until(
      "cancelled_by_user",
      async () => (await store.mustGetRun(crashId)).state === "cancelled",
      300
    );
    expect((await store.events(crashId)).map((e) => e.type)).toEqual(
      expect.arrayContaining(["acknowledged", "cancelled_by_user"])
    );
  });

  it("exports the supervisor's recorded Slurm poll latency", async () => {
    const families = parsePromText(await (await fetch(`${base}/metrics`)).text());
    const sample = families
      .get("neoxctl_slurm_poll_latency_seconds")
      ?.samples.find((s) => s.labels["cluster"] === real.cluster);
    expect(sample?.value).toBeGreaterThan(0);
  });
});
