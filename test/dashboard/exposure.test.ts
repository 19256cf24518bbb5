import { request } from "node:http";
import type { IncomingMessage } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";
import { Keys } from "@neoxctl/supervisor";
import { buildDashboard, SupervisorReadModel } from "@neoxctl/dashboard";
import type { Dashboard, DashboardOptions } from "@neoxctl/dashboard";
import { clearPrefix } from "./seed-history.ts";
import { leakedSecrets, RAW_CONTROL, seedHostileRun } from "../reliability/hostile-run.ts";

// Issue 13, findings 6-8 against real Redis and headless Chromium: the Host allowlist, the read
// token, SSE caps, run ids from URLs, generic 500 bodies, and hostile records on every page and API.
const prefix = `test:dashboard-exposure:${process.pid}:${Date.now()}:`;
const brokenPrefix = `${prefix}broken:`;
const READ = `read-${"r".repeat(20)}`;
const logLines: string[] = [];
let redis: Redis;
let browser: Browser;
const dashboards: Dashboard[] = [];
let open: { port: number; base: string };
let guarded: { port: number; base: string };
let broken: { port: number; base: string };

async function start(
  extra: Partial<DashboardOptions>,
  storePrefix = prefix
): Promise<{ port: number; base: string }> {
  const d = await buildDashboard({
    model: new SupervisorReadModel({ redis, prefix: storePrefix, pollMs: 200 }),
    ...extra
  });
  dashboards.push(d);
  const base = await d.app.listen({ host: "127.0.0.1", port: 0 });
  return { base, port: Number(new URL(base).port) };
}

interface Answer {
  status: number;
  body: string;
  headers: IncomingMessage["headers"];
}

/** GET with a Host header of our choosing (fetch would not send an arbitrary one). */
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  keepOpen = false
): Promise<Answer & { res: IncomingMessage }> {
  const all: Record<string, string> = { host: `127.0.0.1:${port}`, ...headers };
  // an empty Host stands for a request without one (HTTP/1.0 style)
  const noHost = all.host === "";
  if (noHost) delete all.host;
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: all, setHost: !noHost }, (res) => {
      if (keepOpen && res.statusCode === 200)
        return resolve({ status: 200, body: "", headers: res.headers, res });
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers, res }));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  redis = new Redis("redis://127.0.0.1:6379");
  await seedHostileRun(redis, prefix, mkdtempSync(join(tmpdir(), "neoxctl-exposure-")));
  // a run in the runs set whose record is not a string: reading it fails inside Redis
  const keys = new Keys(brokenPrefix);
  await redis.sadd(keys.runs(), "wrongtype-0a0b0c");
  await redis.hset(keys.run("wrongtype-0a0b0c"), "secret-field", "WRONGTYPE-internals");
  open = await start({
    allowedHosts: ["dash.example.org"],
    logger: {
      level: "info",
      stream: new Writable({
        write(chunk, _enc, cb) {
          logLines.push(String(chunk));
          cb();
        }
      })
    }
  });
  guarded = await start({ readToken: READ });
  broken = await start({}, brokenPrefix);
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
  });
});

afterAll(async () => {
  await browser?.close();
  for (const d of dashboards) await d.close();
  if (redis) {
    await clearPrefix(redis, prefix);
    redis.disconnect();
  }
});

describe("Host allowlist (DNS rebinding)", () => {
  it("refuses every Host that is not loopback, the bind address or an allowed name", async () => {
    const refused = [
      "evil.example",
      "evil.example:80",
      "127.0.0.1.nip.io",
      "localhost.evil.example",
      "dash.example.org.evil.example",
      "[::2]",
      "0.0.0.0",
      "10.0.0.5",
      "user@127.0.0.1",
      "127.0.0.1/x",
      ""
    ];
    for (const host of refused) {
      for (const path of ["/", "/api/runs", "/metrics", "/events"]) {
        const a = await get(open.port, path, { host });
        // Node's HTTP server itself answers 400 to an HTTP/1.1 request without Host
        expect(a.status, `${host} ${path}`).toBe(host === "" ? 400 : 403);
        expect(a.body).not.toContain("hostile");
      }
    }
    for (const host of [
      "localhost",
      `localhost:${open.port}`,
      `127.0.0.1:${open.port}`,
      "[::1]:1",
      "DASH.example.org:443"
    ])
      expect((await get(open.port, "/api/runs", { host })).status, host).toBe(200);
  });
});

describe("run ids from URLs", () => {
  it("answers 404 for ids that are not runs, without reading other records or echoing them", async () => {
    const ids = [
      "hostile-0a0b0c:attempt:1",
      "hostile-0a0b0c:events",
      "hostile-0a0b0c:badnodes",
      "hostile-0a0b0c%3Aattempt%3A1",
      "..%2F..%2Fx",
      "x%00y",
      "HOSTILE-0A0B0C",
      "no-such-run-ffffff"
    ];
    for (const id of ids) {
      for (const path of [
        `/api/runs/${id}`,
        `/api/runs/${id}/chart`,
        `/runs/${id}`,
        `/fragments/runs/${id}`
      ]) {
        const a = await get(open.port, path);
        expect(a.status, path).toBe(404);
        expect(a.body, path).not.toMatch(/attempt:1|logPath|SyntaxError|JSON|Redis|stack/i);
        expect(a.body).not.toContain(decodeURIComponent(id));
      }
    }
  });

  it("answers a failed store read with a generic 500 body; the details stay in the log", async () => {
    for (const path of ["/api/runs/wrongtype-0a0b0c", "/runs/wrongtype-0a0b0c", "/api/runs"]) {
      const a = await get(broken.port, path);
      expect(a.status, path).toBe(500);
      expect(a.body, path).not.toMatch(/WRONGTYPE|secret-field|Operation against|at .*\.ts/);
      expect(JSON.parse(a.body)).toEqual({ error: "internal server error" });
    }
  });
});

describe("hostile records on pages and API", () => {
  it("the API and the pages show no planted secret and no raw control", async () => {
    for (const path of [
      "/api/runs/hostile-0a0b0c",
      "/fragments/runs/hostile-0a0b0c",
      "/runs/hostile-0a0b0c"
    ]) {
      const a = await get(open.port, path);
      expect(a.status, path).toBe(200);
      expect(leakedSecrets(a.body), path).toEqual([]);
      expect(RAW_CONTROL.test(a.body), path).toBe(false);
      expect(a.body).toContain("redacted");
    }
    const page = await browser.newPage();
    await page.goto(`${open.base}/runs/hostile-0a0b0c`);
    const text = await page.locator("body").innerText();
    expect(leakedSecrets(text)).toEqual([]);
    expect(RAW_CONTROL.test(text)).toBe(false);
    // the sequences are shown spelled out, not dropped
    expect(text).toContain("\\u001b]52;c;");
    await page.close();
  });

  it("the request log keeps no query string", async () => {
    await get(open.port, "/?token=QuerySecret0123456789&x=1");
    await get(open.port, "/api/runs?access_token=QuerySecretTwo0123");
    await new Promise((r) => setTimeout(r, 200));
    const log = logLines.join("");
    expect(log).toContain('"url":"/api/runs"');
    expect(log).not.toMatch(/QuerySecret/);
  });
});

describe("read token", () => {
  it("guards pages, API, SSE and metrics; Bearer and the login cookie open them", async () => {
    for (const path of ["/api/runs", "/metrics", "/events", "/fragments/runs", "/api/runs/hostile-0a0b0c"])
      expect((await get(guarded.port, path)).status, path).toBe(401);
    for (const path of ["/api/runs", "/metrics"])
      expect((await get(guarded.port, path, { authorization: `Bearer ${READ}` })).status, path).toBe(200);
    expect((await get(guarded.port, "/api/runs", { authorization: `Bearer ${READ}x` })).status).toBe(401);
    expect((await get(guarded.port, "/api/runs", { cookie: "neoxctl_read=forged" })).status).toBe(401);
    expect((await get(guarded.port, "/healthz")).status).toBe(200);
    const page = await get(guarded.port, "/");
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe("/login");
  });

  it("signs in through the login form in a real browser", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${guarded.base}/`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.fill('input[name="token"]', "wrong-token-000000000");
    await page.click('button[type="submit"]');
    expect(await page.locator("#login-problem").innerText()).toContain("not valid");
    await page.fill('input[name="token"]', READ);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${guarded.base}/`);
    expect(await page.locator("body").innerText()).toContain("hostile");
    const cookie = (await ctx.cookies()).find((c) => c.name === "neoxctl_read");
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Strict");
    expect(cookie?.value).not.toContain(READ);
    await ctx.close();
  });
});

describe("SSE caps", () => {
  it("answers 429 past the per-client cap and 503 past the global one", async () => {
    const perClient = await start({ sseLimits: { maxClients: 50, maxPerClient: 2 } });
    const global = await start({ sseLimits: { maxClients: 2, maxPerClient: 50 } });
    for (const [d, status] of [
      [perClient, 429],
      [global, 503]
    ] as const) {
      const held = [await get(d.port, "/events", {}, true), await get(d.port, "/events", {}, true)];
      expect(held.map((h) => h.status)).toEqual([200, 200]);
      expect((await get(d.port, "/events")).status).toBe(status);
      for (const h of held) h.res.destroy();
      await new Promise((r) => setTimeout(r, 200));
      // a closed stream frees its slot
      const again = await get(d.port, "/events", {}, true);
      expect(again.status).toBe(200);
      again.res.destroy();
    }
  });
});
