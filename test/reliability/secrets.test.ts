import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/targets.ts";
import { PrivateRedis } from "./private-redis.ts";
import {
  HOSTILE_CONTROLS,
  HOSTILE_SECRETS,
  leakedSecrets,
  RAW_CONTROL,
  seedHostileRun
} from "./hostile-run.ts";

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

// Finding 7 of issue 13: `events` text mode printed webhook URLs and tokens that `--json` masked, and
// every text output passed log control sequences (OSC 52, screen clears) to the terminal.
describe("hostile run records: every CLI output redacted and escaped", () => {
  const outputs: { args: string[]; json: boolean }[] = [
    { args: ["events", "hostile-0a0b0c"], json: false },
    { args: ["events", "hostile-0a0b0c", "--json"], json: true },
    { args: ["status", "hostile-0a0b0c"], json: false },
    { args: ["status", "hostile-0a0b0c", "--json"], json: true },
    { args: ["status"], json: false },
    { args: ["status", "--json"], json: true },
    { args: ["logs", "hostile-0a0b0c"], json: false }
  ];

  it("prints no planted secret and no raw control character", async () => {
    const client = new Redis(redis.url);
    try {
      await seedHostileRun(client, "neoxctl-secrets-test:", mkdtempSync(join(tmpdir(), "neoxctl-hostile-")));
    } finally {
      client.disconnect();
    }
    const counts: Record<string, { secretsRedacted: number; controlsEscaped: number }> = {};
    for (const o of outputs) {
      const r = neoxctl(o.args, redis.url);
      const name = o.args.join(" ");
      expect(r.status, r.out).toBe(0);
      expect(leakedSecrets(r.out), name).toEqual([]);
      expect(RAW_CONTROL.test(r.out), `${name}: ${JSON.stringify(r.out)}`).toBe(false);
      // the record was shown, masked: the command did not just print nothing
      expect(r.out).toContain("<redacted>");
      if (o.json)
        expect(
          () => JSON.parse(r.out.slice(0, r.out.lastIndexOf("\n", r.out.length - 2))) as unknown
        ).not.toThrow();
      counts[name] = {
        secretsRedacted: (r.out.match(/<redacted>/g) ?? []).length,
        controlsEscaped: (r.out.match(/\\u00(1b|07|9b|0d)|\\u202e/g) ?? []).length
      };
    }
    const dir = join(REPO_ROOT, "test-results", "reliability");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "exposure-cli.json"),
      JSON.stringify(
        { planted: { secrets: HOSTILE_SECRETS.length, controls: HOSTILE_CONTROLS.length }, counts },
        null,
        2
      )
    );
  });

  // Finding 8: an id that names another record (`<id>:attempt:1`) is refused before Redis is read
  it("refuses run ids that are not run ids, without echoing them", () => {
    const cases: [string, string][] = [
      ["events", "hostile-0a0b0c:attempt:1"],
      ["status", "hostile-0a0b0c:events"],
      ["logs", "../x"],
      ["cancel", "X\u001b[2J"]
    ];
    for (const [cmd, id] of cases) {
      const r = neoxctl([cmd, id], redis.url);
      expect(r.status, `${cmd} ${id}: ${r.out}`).toBe(2);
      expect(r.out).toContain("a run id: 1-80 characters");
      expect(r.out).not.toContain(id);
      expect(RAW_CONTROL.test(r.out)).toBe(false);
    }
  });
});
