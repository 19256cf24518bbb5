import { spawn, spawnSync } from "node:child_process";
import { request } from "node:http";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/targets.ts";
import { PrivateRedis } from "./private-redis.ts";
import { leakedSecrets, RAW_CONTROL, seedHostileRun } from "./hostile-run.ts";

// The dashboard as deployed: its own process, secrets only in the environment. Whatever is asked of
// it, the token, the webhook URL and the Redis password appear in no answer and no log line.
const TOKEN = "tok-Reliability-0123456789abcdef";
const HOOK = "https://hooks.example.invalid/services/T0REL/B0REL/HookSecretXyz";
const REDIS_PASSWORD = "dash-pw/with:odd@chars";
const PORT = 18_000 + (process.pid % 1000);
const redis = new PrivateRedis(6392, REDIS_PASSWORD);
const CLI = join(REPO_ROOT, "packages/cli/bin/neoxctl.js");
let child: ChildProcess | undefined;
const output: string[] = [];

beforeAll(async () => {
  await redis.start();
  const client = new Redis(redis.url);
  try {
    await seedHostileRun(client, "neoxctl-dash-rel:", mkdtempSync(join(tmpdir(), "neoxctl-dash-hostile-")));
  } finally {
    client.disconnect();
  }
  child = spawn("node", [CLI, "dashboard", "--port", String(PORT)], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NEOXCTL_DASHBOARD_TOKEN: TOKEN,
      NEOXCTL_ALERT_WEBHOOKS: HOOK,
      NEOXCTL_REDIS_URL: redis.url,
      NEOXCTL_REDIS_PREFIX: "neoxctl-dash-rel:"
    },
    stdio: ["ignore", "pipe", "pipe"]
  });
  child.stdout!.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
  for (let i = 0; i < 100; i++) {
    if (output.join("").includes("neoxctl dashboard on")) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`dashboard did not start: ${output.join("")}`);
});

afterAll(async () => {
  child?.kill("SIGTERM");
  await redis.stop();
});

const SECRETS = [
  TOKEN,
  HOOK,
  "HookSecretXyz",
  "T0REL/B0REL",
  REDIS_PASSWORD,
  encodeURIComponent(REDIS_PASSWORD)
];

function expectClean(text: string, where: string): void {
  for (const s of SECRETS) expect(text.includes(s), `${where} contains ${s}`).toBe(false);
}

async function call(method: string, path: string, auth?: string): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${PORT}${path}`, {
    method,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(method === "POST" ? { "content-type": "application/json" } : {})
    },
    ...(method === "POST" ? { body: "{}" } : {})
  });
  return { status: r.status, body: await r.text() };
}

describe("dashboard secrets, end to end", () => {
  it("refuses actions without the token or with a wrong one (401)", async () => {
    for (const kind of ["cancel", "resume", "ack", "rollback"]) {
      expect((await call("POST", `/api/runs/no-such-run/actions/${kind}`)).status).toBe(401);
      expect((await call("POST", `/api/runs/no-such-run/actions/${kind}`, "Bearer wrong-token")).status).toBe(
        401
      );
      expect((await call("POST", `/api/runs/no-such-run/actions/${kind}`, `Bearer ${TOKEN}x`)).status).toBe(
        401
      );
    }
  });

  it("no page, API answer, metric or log line carries a secret", async () => {
    const answers = [
      await call("GET", "/?token=QuerySecret0123456789"),
      await call("GET", `/api/runs?access_token=${TOKEN}`),
      await call("GET", "/runs/hostile-0a0b0c"),
      await call("GET", "/api/runs/hostile-0a0b0c"),
      await call("GET", "/"),
      await call("GET", "/metrics"),
      await call("GET", "/api/runs"),
      await call("GET", "/runs/no-such-run"),
      await call("POST", "/api/runs/no-such-run/actions/cancel", `Bearer ${TOKEN}`),
      await call("POST", "/api/runs/no-such-run/actions/cancel", "Bearer wrong-token")
    ];
    answers.forEach((a, i) => {
      expectClean(a.body, `answer ${i}`);
      expect(leakedSecrets(a.body), `answer ${i}`).toEqual([]);
      expect(RAW_CONTROL.test(a.body), `answer ${i}`).toBe(false);
    });
    expect(answers[0]!.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expectClean(output.join(""), "dashboard output");
    expect(output.join("")).not.toContain("QuerySecret");
    expect(output.join("")).toContain("neoxctl dashboard on");
  });
});

/** The status of GET /api/runs sent with this Host header (fetch always sends the URL's). */
function statusWithHost(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/api/runs", headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

// Issue 13, finding 6: a non-loopback bind needs --allow-remote, and then warns
describe("dashboard exposure, end to end", () => {
  const env = { ...process.env, NEOXCTL_REDIS_URL: redis.url, NEOXCTL_DASHBOARD_TOKEN: TOKEN };

  it("refuses a non-loopback bind without --allow-remote", () => {
    for (const host of ["0.0.0.0", "::"]) {
      const r = spawnSync("node", [CLI, "dashboard", "--host", host, "--port", "0"], {
        cwd: REPO_ROOT,
        env,
        encoding: "utf8",
        timeout: 60_000
      });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain("--allow-remote");
    }
  });

  it("with --allow-remote warns (no TLS, no read token) and still refuses foreign Host names", async () => {
    const port = PORT + 1;
    const out: string[] = [];
    const remote = spawn(
      "node",
      [
        CLI,
        "dashboard",
        "--host",
        "0.0.0.0",
        "--port",
        String(port),
        "--allow-remote",
        "--allowed-host",
        "dash.example.org"
      ],
      {
        cwd: REPO_ROOT,
        env: { ...env, NEOXCTL_REDIS_PREFIX: "neoxctl-dash-rel:" },
        stdio: ["ignore", "pipe", "pipe"]
      }
    );
    remote.stdout.on("data", (d: Buffer) => out.push(d.toString()));
    remote.stderr.on("data", (d: Buffer) => out.push(d.toString()));
    try {
      for (let i = 0; i < 100 && !out.join("").includes("neoxctl dashboard on"); i++)
        await new Promise((r) => setTimeout(r, 200));
      const text = out.join("");
      expect(text).toContain("warning: serving plain HTTP");
      expect(text).toContain("warning: no read token");
      // fetch sends the URL's host: 127.0.0.1 is a loopback name, the others must be refused
      expect((await fetch(`http://127.0.0.1:${port}/api/runs`)).status).toBe(200);
      expect(await statusWithHost(port, "evil.example")).toBe(403);
      expect(await statusWithHost(port, `evil.example:${port}`)).toBe(403);
      expect(await statusWithHost(port, "dash.example.org")).toBe(200);
    } finally {
      remote.kill("SIGTERM");
    }
  });
});
