import { mkdirSync } from "node:fs";
import { Writable } from "node:stream";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { Keys, RunStore, SeriesStore } from "@neoxctl/supervisor";
import { buildDashboard, SupervisorActions, SupervisorReadModel } from "@neoxctl/dashboard";
import type { Dashboard } from "@neoxctl/dashboard";
import { clearPrefix, seedHistory, XSS_NAME } from "./seed-history.ts";
import type { Seeded } from "./seed-history.ts";
import { writeLiveHeartbeat } from "./live-supervisor.test-support.ts";

// Real Redis, real headless Chromium (Debian's), run histories written by hand through the
// supervisor's store: good for what a real run cannot give cheaply — hundreds of runs, markup in
// names and log lines, the token checks. The chart, decision log and actions on histories the
// supervisor itself produced are in real-run.test.ts.
const SHOTS = "test-results/screenshots";
const TOKEN = `tok-${randomBytes(16).toString("hex")}`;
const prefix = `test:dashboard:${process.pid}:${Date.now()}:`;
const emptyPrefix = `${prefix}empty:`;
const logLines: string[] = [];
const logStream = new Writable({
  write(chunk, _enc, cb) {
    logLines.push(String(chunk));
    cb();
  }
});

let redis: Redis;
let browser: Browser;
let seeded: Seeded;
let withToken: Dashboard;
let readOnly: Dashboard;
let empty: Dashboard;
const url: Record<string, string> = {};

async function listen(d: Dashboard): Promise<string> {
  return d.app.listen({ host: "127.0.0.1", port: 0 });
}

beforeAll(async () => {
  redis = new Redis("redis://127.0.0.1:6379");
  seeded = await seedHistory(redis, prefix, 200);
  await writeLiveHeartbeat(redis, prefix);
  const model = new SupervisorReadModel({ redis, prefix, pollMs: 200 });
  withToken = await buildDashboard({
    model,
    actions: new SupervisorActions(model.store),
    token: TOKEN,
    logger: { level: "info", stream: logStream }
  });
  readOnly = await buildDashboard({
    model: new SupervisorReadModel({ redis, prefix, pollMs: 200 }),
    actions: new SupervisorActions(model.store)
  });
  empty = await buildDashboard({ model: new SupervisorReadModel({ redis, prefix: emptyPrefix }) });
  url.token = await listen(withToken);
  url.ro = await listen(readOnly);
  url.empty = await listen(empty);
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
});

afterAll(async () => {
  await browser?.close();
  for (const d of [withToken, readOnly, empty]) await d?.close();
  if (redis) {
    await clearPrefix(redis, prefix);
    redis.disconnect();
  }
});

async function open(path: string, base = url.ro): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("dialog", (d) => void d.accept());
  await page.goto(`${base}${path}`);
  return page;
}

describe("dashboard in Chromium", () => {
  it("lists the runs needing attention first, finished runs collapsed, markup in names shown as text", async () => {
    const page = await open("/");
    await page.waitForSelector("#live[data-live=open]");
    const rows = page.locator("#runs tr[data-run-id]");
    expect(await rows.first().getAttribute("data-state")).toBe("needs_attention");
    expect(await page.locator("#runs-count").getAttribute("data-attention")).toBe("1");
    expect(await page.locator("#runs-count").getAttribute("data-count")).toBe(String(seeded.total));
    expect(await page.locator('tbody[data-group="history"]').getAttribute("data-collapsed")).toBe("true");
    const pythia = page.locator(`tr[data-run-id="${seeded.pythiaId}"]`);
    expect(await pythia.locator("td").nth(2).innerText()).toContain("3000 / 143000");
    expect(await pythia.innerText()).toContain("job 7340102");
    await page.goto(`${url.ro}/?history=open&q=${encodeURIComponent("onerror")}`);
    expect(await page.locator(`tr[data-run-id="${seeded.xssId}"] a`).first().innerText()).toBe(XSS_NAME);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await page.screenshot({ path: `${SHOTS}/overview.png`, fullPage: false });
    const html = await (await fetch(`${url.ro}/`)).text();
    console.log(`overview: ${seeded.total} runs, ${html.length} bytes of HTML`);
    await page.close();
  });

  it("shows the empty state with how to submit a run", async () => {
    const page = await open("/", url.empty);
    expect(await page.locator("#empty-state").innerText()).toContain(
      "neoxctl submit <spec.yaml> --cluster <cluster>"
    );
    await page.close();
  });

  it("renders markup from Redis as text on the run page", async () => {
    const page = await open(`/runs/${seeded.xssId}`);
    const li = page.locator("#decisions li.event").first();
    await li.locator("summary").click();
    expect(await li.locator("pre.log-excerpt").innerText()).toContain("<script>window.__xss=2</script>");
    expect(await page.locator("#summary h2").innerText()).toContain(XSS_NAME);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator("#decisions b").count()).toBe(0);
    await page.close();
  });

  it("is read-only without a configured token: no buttons, mutations refused", async () => {
    const page = await open(`/runs/${seeded.bloomId}`);
    expect(await page.locator("#read-only").count()).toBe(1);
    expect(await page.locator("button[data-action]").count()).toBe(0);
    const status = await page.evaluate(
      async (id) =>
        (
          await fetch(`/api/runs/${id}/actions/ack`, {
            method: "POST",
            headers: { authorization: "Bearer anything" }
          })
        ).status,
      seeded.bloomId
    );
    expect(status).toBe(403);
    await page.close();
  });

  it("performs an action with the token and answers 401 without it or with a wrong one", async () => {
    const control = new Keys(prefix).control(seeded.bloomId);
    const post = (auth?: string): Promise<Response> =>
      fetch(`${url.token}/api/runs/${seeded.bloomId}/actions/ack`, {
        method: "POST",
        headers: auth ? { authorization: auth } : {}
      });
    expect((await post()).status).toBe(401);
    expect((await post(`Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await post("Bearer short")).status).toBe(401);
    expect(await redis.llen(control)).toBe(0);

    const page = await open(`/runs/${seeded.bloomId}`, url.token);
    await page.fill("#action-token", TOKEN);
    await page.click('button[data-action="ack"]');
    await page.click("#confirm-yes");
    await page.waitForSelector("#action-result[data-status]");
    expect(await page.locator("#action-result").getAttribute("data-status")).toBe("200");
    const queued = (await redis.lrange(control, 0, -1)).map((s) => JSON.parse(s) as { kind: string });
    expect(queued.map((c) => c.kind)).toEqual(["ack"]);
    expect(await page.content()).not.toContain(TOKEN);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join("")).not.toContain(TOKEN);
    await page.close();
  });

  it("updates the overview live when the supervisor records progress", async () => {
    const page = await open("/");
    await page.waitForSelector("#live[data-live=open]");
    const cell = page.locator(`tr[data-run-id="${seeded.pythiaId}"] [data-last-loss]`);
    const before = await cell.innerText();
    const keys = new Keys(prefix);
    const store = new RunStore(redis, keys);
    const series = new SeriesStore(redis, keys);
    const run = await store.mustGetRun(seeded.pythiaId);
    run.updatedAt = new Date().toISOString();
    await store.commit(null, [
      store.putRun(run),
      ...series.appendOps(run.id, [{ step: 3001, attempt: 4, loss: 1.2345, lr: 1e-4, stepTimeMs: 850 }])
    ]);
    await page.waitForFunction(
      (sel) =>
        (
          globalThis as unknown as {
            document: { querySelector(s: string): { textContent: string | null } | null };
          }
        ).document.querySelector(sel)?.textContent === "1.2345",
      `tr[data-run-id="${seeded.pythiaId}"] [data-last-loss]`
    );
    expect(before).not.toBe("1.2345");
    expect(Number(await page.locator("body").getAttribute("data-refreshes"))).toBeGreaterThan(0);
    await page.close();
  });
});
