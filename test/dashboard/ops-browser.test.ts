import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";
import { Keys, RunStore } from "@neoxctl/supervisor";
import type { Run } from "@neoxctl/supervisor";
import {
  buildDashboard,
  newNamedToken,
  SilenceStore,
  SupervisorActions,
  SupervisorReadModel
} from "@neoxctl/dashboard";
import type { Dashboard } from "@neoxctl/dashboard";
import { putRunWithEvent, runRecord } from "../support/run-record.ts";
import { clearPrefix } from "./seed-history.ts";

// Real headless Chromium (Debian's) on the dashboard over real Redis: the actor in the decision
// log, and the silence form used as an on-call engineer would (type, submit, end).
const SHOTS = "test-results/screenshots";
const prefix = `test:ops-browser:${process.pid}:${Date.now()}:`;
const RUN = "ops-browser-run";
const carol = newNamedToken("carol");
let redis: Redis;
let d: Dashboard;
let base: string;
let browser: Browser;

function run(): Run {
  return runRecord(RUN, { state: "needs_attention" });
}

beforeAll(async () => {
  redis = new Redis("redis://127.0.0.1:6379");
  const store = new RunStore(redis, new Keys(prefix));
  const r = run();
  await putRunWithEvent(store, r, {
    type: "rollback_by_user",
    time: new Date().toISOString(),
    cause: "rolled back by the user to step 40",
    evidence: {},
    actor: "dashboard:carol"
  });
  const model = new SupervisorReadModel({ redis, prefix });
  d = await buildDashboard({
    model,
    actions: new SupervisorActions(model.store),
    tokens: [carol.record],
    silences: new SilenceStore(redis, prefix)
  });
  base = await d.app.listen({ host: "127.0.0.1", port: 0 });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
  });
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await d?.close();
  if (redis) {
    await clearPrefix(redis, prefix);
    redis.disconnect();
  }
});

describe("actors and silences in a real browser", () => {
  it("shows who took an action in the run's decision log", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/runs/${RUN}`);
    const actor = page.locator('#decisions .actor[data-actor="dashboard:carol"]');
    await expect.poll(() => actor.textContent()).toBe("by dashboard:carol");
    expect(await actor.isVisible()).toBe(true);
    await page.close();
  });

  it("adds a silence through the form with a named token, shows it, and ends it", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/silences`);
    await expect.poll(() => page.locator("#no-silences").count()).toBe(1);
    const form = page.locator("#silence-form");
    await form.locator('input[name="target"]').fill(`run:${RUN}`);
    await form.locator('input[name="for"]').fill("45m");
    await form.locator('input[name="reason"]').fill("node nid003 under repair");
    await form.locator('input[name="token"]').fill("not the token");
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => page.locator("#silence-problem").textContent()).toContain("not valid");
    await page.locator('#silence-form input[name="target"]').fill(`run:${RUN}`);
    await page.locator('#silence-form input[name="for"]').fill("45m");
    await page.locator('#silence-form input[name="reason"]').fill("node nid003 under repair");
    await page.locator('#silence-form input[name="token"]').fill(carol.secret);
    await page.locator('#silence-form button[type="submit"]').click();
    const row = page.locator("tr.silence");
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain(`run:${RUN}`);
    expect(await row.locator("td.actor").textContent()).toBe("dashboard:carol");
    expect(await row.textContent()).toContain("node nid003 under repair");
    expect(await page.content()).not.toContain(carol.secret);
    await page.screenshot({ path: `${SHOTS}/ops-silences.png`, fullPage: true });
    await row.locator('input[name="token"]').fill(carol.secret);
    await row.locator('button[type="submit"]').click();
    await expect.poll(() => page.locator("#no-silences").count()).toBe(1);
    await page.close();
  });
});
