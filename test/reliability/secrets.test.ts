import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/targets.ts";
import { PrivateRedis } from "./private-redis.ts";

// The password holds characters that need percent-encoding in a URL, so both spellings are checked.
const PASSWORD = "s3cret/Pw:x@y";
const ENCODED = encodeURIComponent(PASSWORD);
const redis = new PrivateRedis(6391, PASSWORD);
const CLI = join(REPO_ROOT, "packages/cli/bin/neoxctl.js");

function neoxctl(args: string[], redisUrl: string, timeout = 60_000): { status: number | null; out: string } {
  const r = spawnSync("node", [CLI, ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout,
    env: { ...process.env, NEOXCTL_REDIS_URL: redisUrl, NEOXCTL_REDIS_PREFIX: "neoxctl-secrets-test:" }
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

function expectNoPassword(out: string): void {
  for (const s of [PASSWORD, ENCODED, "s3cret"]) expect(out, out).not.toContain(s);
}

beforeAll(() => redis.start());
afterAll(() => redis.stop());

describe("Redis passwords never printed", () => {
  it("status --json and status with the right password", () => {
    for (const args of [["status", "--json"], ["status"]]) {
      const r = neoxctl(args, redis.url);
      expect(r.status, r.out).toBe(0);
      expectNoPassword(r.out);
    }
  });

  // regression: STORE_UNAVAILABLE quoted the whole NEOXCTL_REDIS_URL, password included
  it("status when Redis is unreachable or refuses the password", () => {
    const cases = [
      redis.url.replace(String(redis.port), "1"),
      redis.url.replace(ENCODED, `${ENCODED}-wrong`)
    ];
    for (const url of cases) {
      for (const args of [["status", "--json"], ["status"]]) {
        const r = neoxctl(args, url);
        expect(r.status, r.out).toBe(1);
        expect(r.out).toMatch(/STORE_UNAVAILABLE|WRONGPASS|NOAUTH|ECONNREFUSED|redacted/);
        expectNoPassword(r.out);
      }
    }
  });

  it("supervise --once --json", () => {
    const r = neoxctl(["supervise", "--once", "--json"], redis.url);
    expectNoPassword(r.out);
    // the worker waits for a Redis that is down (it may be restarting); what it printed meanwhile counts
    const down = neoxctl(
      ["supervise", "--once", "--json"],
      redis.url.replace(String(redis.port), "1"),
      10_000
    );
    expectNoPassword(down.out);
  });
});
