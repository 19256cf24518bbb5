import { mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { Keys, RunStore } from "@neoxctl/supervisor";
import { buildDashboard, SupervisorActions, SupervisorReadModel } from "@neoxctl/dashboard";
import type { Dashboard } from "@neoxctl/dashboard";
import { clearPrefix, seedHistory } from "./seed-history.ts";
import type { Seeded } from "./seed-history.ts";
import { seedTeamRuns } from "./triage-seed.test-support.ts";
import type { TeamRuns } from "./triage-seed.test-support.ts";
import { writeLiveHeartbeat } from "./live-supervisor.test-support.ts";

// The on-call views in real headless Chromium over a seeded history of hundreds of runs (written
// through the supervisor's store under this file's own prefix): triage order, filters from the URL,
// the run page's status header above the fold of a laptop screen, the action confirmations, and a
// phone-sized viewport. Screenshots go to docs/screenshots/ (the README shows them).
const DOCS_SHOTS = "docs/screenshots";
const TOKEN = `tok-${randomBytes(16).toString("hex")}`;
const prefix = `test:triage:${process.pid}:${Date.now()}:`;

let redis: Redis;
let browser: Browser;
let seeded: Seeded;
let teams: TeamRuns;
let dash: Dashboard;
let base: string;

beforeAll(async () => {
  redis = new Redis("redis://127.0.0.1:6379");
  seeded = await seedHistory(redis, prefix, 300);
  teams = await seedTeamRuns(redis, prefix, 60);
  await writeLiveHeartbeat(redis, prefix);
  const model = new SupervisorReadModel({ redis, prefix, pollMs: 500 });
  dash = await buildDashboard({ model, actions: new SupervisorActions(model.store), token: TOKEN });
  base = await dash.app.listen({ host: "127.0.0.1", port: 0 });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
  });
  mkdirSync(DOCS_SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  if (redis) {
    await clearPrefix(redis, prefix);
    redis.disconnect();
  }
});

async function open(path: string, width = 1366, height = 768): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  await page.goto(`${base}${path}`);
  return page;
}

const runIds = (page: Page): Promise<string[]> =>
  page
    .locator("#runs tr[data-run-id]")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-run-id") ?? ""));

async function noHorizontalOverflow(page: Page): Promise<{ scroll: number; client: number }> {
  return page.evaluate(() => {
    const d = (
      globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
    ).document.documentElement;
    return { scroll: d.scrollWidth, client: d.clientWidth };
  });
}

describe("on-call views over hundreds of runs", () => {
  it("puts the run needing attention first, then live runs, finished runs collapsed", async () => {
    const total = seeded.total + teams.ids.length;
    const cold = performance.now();
    await (await fetch(`${base}/`)).text();
    const coldMs = performance.now() - cold;
    const warm = performance.now();
    const html = await (await fetch(`${base}/`)).text();
    const warmMs = performance.now() - warm;
    console.log(
      `overview of ${total} runs: first render ${coldMs.toFixed(0)} ms, cached ${warmMs.toFixed(0)} ms, ${html.length} bytes`
    );

    const page = await open("/");
    const ids = await runIds(page);
    expect(ids[0]).toBe(seeded.bloomId);
    expect(await page.locator("#runs-count").getAttribute("data-count")).toBe(String(total));
    // the finished runs are one collapsed line; the live ones all show
    expect(await page.locator('tbody[data-group="history"] tr[data-run-id]').count()).toBe(0);
    expect(await page.locator('tbody[data-group="active"] tr[data-run-id]').count()).toBe(
      teams.ids.length + 1
    );
    expect(await page.locator('[data-state-count="completed"] b').innerText()).toBe("300");
    // each live row: sparkline, tokens/s, effective time, since progress
    const row = page.locator(`tr[data-run-id="${teams.ids[1]!.id}"]`);
    expect(Number(await row.locator("svg.spark").getAttribute("data-points"))).toBeGreaterThan(10);
    expect(await row.locator('td[data-label="tokens/s"]').innerText()).toMatch(/\/s$/);
    expect(await row.locator("[data-effective]").innerText()).not.toBe("—");
    // cluster health: lumi-g polled just now, frontier (live runs, never polled) flagged
    expect(await page.locator('#clusters li[data-cluster="lumi-g"]').getAttribute("data-health")).toBe("ok");
    expect(await page.locator('#clusters li[data-cluster="frontier"]').getAttribute("data-health")).toBe(
      "stale"
    );
    expect(await page.locator('#clusters li[data-cluster="frontier"]').innerText()).toContain(
      "3 failed polls"
    );
    // a live supervisor holds every active run: no supervision banner
    expect(await page.locator("#supervision-banner").count()).toBe(0);
    // the attention cause in plain words, with a runbook page that resolves
    const cause = page.locator(`tr[data-run-id="${seeded.bloomId}"] .cause`);
    expect(await cause.getAttribute("data-cause")).toBe("spike_rollback_cap");
    await page.screenshot({ path: `${DOCS_SHOTS}/dashboard-overview.png` });
    await cause.locator("a.runbook").click();
    await page.waitForURL(/\/runbook\/spike_rollback_cap\.md$/);
    expect(await page.locator("#runbook").innerText()).toContain("What to do");
    await page.close();
  });

  it("filters from the URL: team, state and cluster, text; the form shows them and pages the history", async () => {
    const page = await open("/?team=vision&cluster=frontier");
    const vision = teams.ids.filter((r) => r.team === "vision" && r.cluster === "frontier").map((r) => r.id);
    expect((await runIds(page)).sort()).toEqual(vision.sort());
    expect(await page.locator('#filters select[name="team"]').inputValue()).toBe("vision");

    await page.goto(`${base}/?q=bigscience`);
    expect(await runIds(page)).toEqual([seeded.bloomId]);

    // the form writes the URL: choose a state and submit
    await page.goto(`${base}/`);
    await page.selectOption('#filters select[name="state"]', "queued");
    await Promise.all([page.waitForURL(/state=queued/), page.click('#filters button[type="submit"]')]);
    const queued = await runIds(page);
    expect(queued.length).toBeGreaterThan(0);
    expect(
      await page
        .locator("#runs tr[data-run-id]")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-state")))
    ).toEqual(queued.map(() => "queued"));

    await page.goto(`${base}/?state=completed&page=2`);
    expect(await page.locator("#runs tr[data-run-id]").count()).toBe(25);
    expect(await page.locator(".pager").getAttribute("data-page")).toBe("2");
    await page.close();
  });

  it("answers above the fold of a 1366×768 screen: state, since when, what last happened", async () => {
    const page = await open(`/runs/${seeded.pythiaId}`);
    const header = page.locator("#summary");
    const box = await header.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y + box!.height).toBeLessThanOrEqual(768);
    const text = await header.innerText();
    expect(text).toContain("running");
    expect(text).toContain("since");
    expect(text).toContain("3000 / 143000");
    expect(text).toContain("7340102");
    expect(await header.locator(".last-event").getAttribute("data-last-event")).toBe("job_started");
    // incidents: node failure, rollback, timeout, each with its cost
    const incidents = page.locator("#incidents li.incident");
    expect(await incidents.count()).toBe(3);
    expect(await incidents.last().locator(".decision").first().getAttribute("data-event-type")).toBe(
      "recover_node"
    );
    expect(await incidents.first().locator("[data-steps-lost]").getAttribute("data-steps-lost")).not.toBe("");
    // decision-log entries link the runbook page of what happened
    expect(
      await page.locator('#decisions li[data-event-type="recover_node"] a.runbook').getAttribute("href")
    ).toBe("/runbook/node_failures.md");
    await page.locator("#chart-loss[data-ready=true]").waitFor();
    await page.screenshot({ path: `${DOCS_SHOTS}/dashboard-run-page-laptop.png` });

    const stuck = await open(`/runs/${seeded.bloomId}`);
    const attention = stuck.locator("#summary .attention");
    expect(await attention.getAttribute("data-cause")).toBe("spike_rollback_cap");
    const abox = await attention.boundingBox();
    expect(abox!.y + abox!.height).toBeLessThanOrEqual(768);
    // the screenshot shows the loss chart, drawn by the page's script after load
    await stuck.locator("#chart-loss[data-ready=true]").waitFor();
    await stuck.screenshot({ path: `${DOCS_SHOTS}/dashboard-run-attention.png` });
    await stuck.close();
    await page.close();
  });

  it("confirms each action with its consequence, and sends nothing until confirmed", async () => {
    const control = new Keys(prefix).control(seeded.pythiaId);
    const page = await open(`/runs/${seeded.pythiaId}`);
    await page.fill("#action-token", TOKEN);
    await page.fill("#rollback-step", "2000");
    await page.fill("#rollback-lr", "0.5");
    await page.click('button[data-action="rollback"]');
    const dialog = page.locator("dialog#confirm");
    await dialog.waitFor();
    expect(await page.locator("#confirm-text").innerText()).toBe(
      `Cancels job 7340102, resubmits run ${seeded.pythiaId} from step 2000 with LR 5.0e-5 (1.0e-4 × 0.5); checkpoints after step 2000 leave the run's timeline.`
    );
    await page.screenshot({ path: `${DOCS_SHOTS}/dashboard-confirm.png` });
    await page.click("#confirm-no");
    expect(await redis.llen(control)).toBe(0);

    // resume is for a stopped run: the dialog says why and offers no confirm button
    await page.click('button[data-action="resume"]');
    expect(await page.locator("#confirm-text").innerText()).toContain("Not possible now");
    expect(await page.locator("#confirm-yes").isVisible()).toBe(false);
    await page.click("#confirm-no");

    await page.click('button[data-action="cancel"]');
    expect(await page.locator("#confirm-text").innerText()).toContain("Cancels job 7340102");
    await page.click("#confirm-no");

    await page.click('button[data-action="rollback"]');
    await page.click("#confirm-yes");
    await page.waitForSelector("#action-result[data-status]");
    expect(await page.locator("#action-result").getAttribute("data-status")).toBe("200");
    const queued = (await redis.lrange(control, 0, -1)).map(
      (s) => JSON.parse(s) as { kind: string; toStep?: number; lrFactor?: number }
    );
    expect(queued.map((c) => [c.kind, c.toStep, c.lrFactor])).toEqual([["rollback", 2000, 0.5]]);
    await page.close();
  });

  it("fits a 390×844 phone screen without horizontal scrolling", async () => {
    for (const [path, shot] of [
      ["/", "dashboard-mobile-overview.png"],
      [`/runs/${seeded.pythiaId}`, "dashboard-mobile-run-page.png"]
    ] as const) {
      const page = await open(path, 390, 844);
      if (path !== "/") await page.locator("#chart-loss[data-ready=true]").waitFor();
      const { scroll, client } = await noHorizontalOverflow(page);
      expect(scroll, `${path}: page ${scroll}px wide in a ${client}px viewport`).toBeLessThanOrEqual(client);
      await page.screenshot({ path: `${DOCS_SHOTS}/${shot}` });
      await page.close();
    }
  });

  it("marks the incidents that happened since this browser last looked", async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const first = await context.newPage();
    await first.goto(`${base}/runs/${seeded.pythiaId}`);
    expect(await first.locator("#incidents-new").innerText()).toContain("first visit");
    expect(await first.locator("#incidents li.incident.new").count()).toBe(0);
    await first.close();

    const store = new RunStore(redis, new Keys(prefix));
    await store.commit(null, [
      store.event(seeded.pythiaId, {
        type: "recover_hang",
        time: new Date(Date.now() + 1000).toISOString(),
        cause: "no training progress past iteration 3000; hang; cancelling and resuming",
        evidence: { jobId: "7340102" },
        attempt: 4
      })
    ]);
    const again = await context.newPage();
    await again.goto(`${base}/runs/${seeded.pythiaId}`);
    const fresh = again.locator("#incidents li.incident.new");
    expect(await fresh.count()).toBe(1);
    expect(await fresh.getAttribute("data-attempt")).toBe("4");
    expect(await again.locator("#incidents-new").innerText()).toContain("1 new since");
    await context.close();
  });
});
