import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDashboard, SupervisorReadModel } from "@neoxctl/dashboard";
import type { Dashboard } from "@neoxctl/dashboard";
import { createRun, Keys, RunStore } from "@neoxctl/supervisor";
import type { CycleReport } from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "../supervisor/scenario.ts";
import type { ScenarioInputs } from "../supervisor/scenario.ts";
import { testRedis } from "../supervisor/redis-helpers.ts";
import { cycleUntil, localCluster, makeSupervisor } from "../supervisor/harness.ts";

// One corrupt record of each kind the supervisor keeps in Redis, each in its own run, next to a
// healthy run. Corrupt runs sort first, so a failure that stops the cycle stops it before the others.
// The records are corrupted before any supervisor sees the runs.
const CLI = join(REPO_ROOT, "packages/cli/bin/neoxctl.js");
// Run ids unique to this test run, as `neoxctl submit`'s are: Slurm's accounting keeps the jobs of
// earlier runs of this test, and the supervisor adopts a job tagged with a run id and attempt it is
// about to submit (a crash after sbatch), so a fixed id would adopt last run's finished job.
const RUN_SUFFIX = randomBytes(3).toString("hex");
const runId = (name: string): string => `${name}-${RUN_SUFFIX}`;

type Corrupt = (k: { run: string; key: (suffix: string) => string }) => Promise<unknown>;
interface Case {
  id: string;
  kind: string;
  /** the run still completes: the bad record is skipped, nothing the run needs is lost */
  completes: boolean;
  /** listed as unreadable by status and the dashboard (they read the run and its current attempt) */
  unreadable: boolean;
  /** the run record itself cannot be read */
  runUnreadable?: boolean;
  corrupt: Corrupt;
}

let t: Awaited<ReturnType<typeof testRedis>>;
let store: RunStore;
let dash: Dashboard;
const inputs = new Map<string, ScenarioInputs>();
const rawBefore = new Map<string, string | null>();

const CASES: Case[] = [
  {
    id: runId("a1-run"),
    kind: "run",
    completes: false,
    unreadable: true,
    runUnreadable: true,
    corrupt: ({ key }) => t.redis.set(key(""), `{"id":"${runId("a1-run")}","state":"plan`)
  },
  {
    id: runId("a2-planinput"),
    kind: "planInput",
    completes: false,
    unreadable: true,
    runUnreadable: true,
    corrupt: async ({ key }) => {
      const run = JSON.parse((await t.redis.get(key("")))!) as Record<string, unknown>;
      await t.redis.set(key(""), JSON.stringify({ ...run, planInput: { spec: 7, profile: null } }));
    }
  },
  {
    id: runId("a3-attempt"),
    kind: "attempt",
    completes: false,
    unreadable: true,
    corrupt: ({ key }) => t.redis.set(key(":attempt:1"), '{"index":"one","phase":"submitting"}')
  },
  {
    id: runId("a4-chain"),
    kind: "chain",
    completes: false,
    unreadable: false,
    corrupt: ({ key }) => t.redis.set(key(":chain"), '{"discarded":"none","exits":[{"attempt":0}]}')
  },
  {
    id: runId("a5-control"),
    kind: "control",
    completes: true,
    unreadable: false,
    corrupt: ({ key }) => t.redis.rpush(key(":control"), '{"kind":"explode","at":1}')
  },
  {
    id: runId("a6-event"),
    kind: "event",
    completes: true,
    unreadable: false,
    corrupt: ({ key }) => t.redis.xadd(key(":events"), "*", "e", "not json at all")
  },
  {
    id: runId("a7-series"),
    kind: "series",
    completes: true,
    unreadable: false,
    corrupt: ({ key }) => t.redis.xadd(key(":series"), "*", "e", '[{"step":"seven","attempt":1}]')
  },
  {
    id: runId("a8-badnode"),
    kind: "badNode",
    completes: true,
    unreadable: false,
    corrupt: ({ key }) => t.redis.hset(key(":badnodes"), "nid004", '{"node":"nid004","blamed":')
  },
  { id: runId("b-healthy"), kind: "none", completes: true, unreadable: false, corrupt: async () => undefined }
];

function neoxctl(args: string[], timeout = 120_000): { status: number | null; stdout: string; all: string } {
  const r = spawnSync("node", [CLI, ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout,
    env: { ...process.env, NEOXCTL_REDIS_PREFIX: t.prefix }
  });
  return { status: r.status, stdout: r.stdout, all: `${r.stdout}\n${r.stderr}` };
}

const stateOf = async (id: string): Promise<string | undefined> => {
  try {
    return (await store.getRun(id))?.state;
  } catch {
    return "unreadable";
  }
};

beforeAll(async () => {
  t = await testRedis("corrupt");
  store = new RunStore(t.redis, new Keys(t.prefix));
  for (const c of CASES) {
    const i = scenarioInputs({
      name: c.id,
      trainIters: 20,
      lr: 0.0001,
      env: { NEOX_EMU_STEP_MS: "20" }
    });
    inputs.set(c.id, i);
    await createRun(store, localCluster().exec, { ...i, repoRoot: REPO_ROOT, runId: c.id });
    await c.corrupt({ run: c.id, key: (suffix) => `${store.keys.run(c.id)}${suffix}` });
    rawBefore.set(c.id, await t.redis.get(store.keys.run(c.id)));
  }
  dash = await buildDashboard({ model: new SupervisorReadModel({ redis: t.redis, prefix: t.prefix }) });
}, 300_000);

afterAll(async () => {
  await dash?.close();
  await t?.cleanup();
  for (const i of inputs.values()) removeScenario(i);
});

describe("one corrupt record costs only its own run", () => {
  it("status and status --json succeed and mark the unreadable runs", () => {
    const json = neoxctl(["status", "--json"]);
    expect(json.status, json.all).toBe(0);
    const rows = JSON.parse(json.stdout) as { id: string; state: string; error?: { code: string } }[];
    expect(rows.map((r) => r.id)).toEqual(CASES.map((c) => c.id));
    for (const c of CASES) {
      const row = rows.find((r) => r.id === c.id)!;
      expect(row.state, c.id).toBe(c.unreadable ? "unreadable" : "planned");
      if (c.unreadable) expect(row.error?.code).toBe("CORRUPT_RECORD");
    }
    const text = neoxctl(["status"]);
    expect(text.status, text.all).toBe(0);
    for (const c of CASES)
      expect(text.stdout).toMatch(new RegExp(`^${c.id} +${c.unreadable ? "unreadable" : "planned"}`, "m"));
  });

  it("the dashboard overview and /api/runs answer 200 and list the broken runs as unreadable", async () => {
    const page = await dash.app.inject({ method: "GET", url: "/" });
    expect(page.statusCode, page.body).toBe(200);
    const api = await dash.app.inject({ method: "GET", url: "/api/runs" });
    expect(api.statusCode, api.body).toBe(200);
    const runs = (api.json() as { runs: { id: string; state: string; unreadable?: string }[] }).runs;
    for (const c of CASES) {
      const state = c.unreadable ? "unreadable" : "planned";
      expect(page.body).toContain(`data-run-id="${c.id}" data-state="${state}"`);
      expect(runs.find((r) => r.id === c.id)?.state, c.id).toBe(state);
      if (c.unreadable) expect(runs.find((r) => r.id === c.id)?.unreadable).toMatch(/unreadable/);
    }
  });

  it("supervise --once --json handles every other run in the same cycle and exits", () => {
    const r = neoxctl(["supervise", "--once", "--json", "--lease-ttl-ms", "5000"]);
    // before the fix the first corrupt run failed the whole cycle (INTERNAL) and the process never exited
    expect(r.status, r.all).toBe(0);
    // log lines come first; the report is the one document starting at the beginning of a line
    const report = JSON.parse(r.stdout.slice(r.stdout.search(/^\{$/m))) as CycleReport;
    expect(report.runs).toBe(CASES.length);
    expect(report.leased).toBe(CASES.length);
    expect(new Set(report.corrupt.map((c) => c.kind))).toEqual(
      new Set(["run", "planInput", "attempt", "chain", "control", "series"])
    );
    for (const c of report.corrupt) expect(c.runId).toBe(CASES.find((k) => k.kind === c.kind)?.id);
  });

  it("the runs whose records are whole were submitted in that cycle", async () => {
    for (const c of CASES) {
      const state = await stateOf(c.id);
      // the corrupt control command took the control run's turn (dropped with an event)
      if (c.completes && c.kind !== "control") expect(state, c.id).toBe("queued");
      else if (!c.completes) expect(state, c.id).toBe(c.runUnreadable ? "unreadable" : "planned");
    }
    const control = await store.events(runId("a5-control"));
    expect(control.find((e) => e.type === "control_rejected")?.cause).toMatch(/unreadable control record/);
    expect(await t.redis.llen(store.keys.control(runId("a5-control")))).toBe(0);
  });

  it("the other runs are supervised to completion; each corrupt record is reported on its run", async () => {
    const log: string[] = [];
    const { sup } = makeSupervisor(t.redis, t.prefix, "sup-corrupt", log);
    const done = CASES.filter((c) => c.completes);
    const cycles = await cycleUntil(
      sup,
      async () => (await Promise.all(done.map((c) => stateOf(c.id)))).every((s) => s === "completed"),
      800
    );
    await sup.release();
    for (const c of done)
      expect(await stateOf(c.id), `${c.id} after ${cycles} cycles\n${log.join("\n")}`).toBe("completed");
    for (const c of CASES.filter((k) => !k.completes)) {
      expect(await stateOf(c.id), c.id).toBe(c.runUnreadable ? "unreadable" : "planned");
      // a corrupt run record is left as it was for a human to inspect
      expect(await t.redis.get(store.keys.run(c.id)), c.id).toBe(rawBefore.get(c.id));
    }
    // the supervisor reads these kinds; each is reported with an event on its run
    for (const c of CASES.filter((k) =>
      ["run", "planInput", "attempt", "chain", "badNode"].includes(k.kind)
    )) {
      const ev = (await store.events(c.id)).filter((e) => e.type === "record_corrupt");
      expect(
        ev.map((e) => e.evidence.detail?.["kind"]),
        c.id
      ).toContain(c.kind);
    }
    // the event stream with a bad entry still reads: only that entry is left out
    const events = await store.events(runId("a6-event"));
    expect(events.length).toBe((await t.redis.xlen(store.keys.events(runId("a6-event")))) - 1);
    expect(events[0]?.type).toBe("run_created");
    expect(events.at(-1)?.type, JSON.stringify(events, null, 1)).toBe("run_completed");
    const series = await dash.app.inject({ method: "GET", url: `/api/runs/${runId("a7-series")}/chart` });
    expect(series.statusCode, series.body).toBe(200);
    // and a log line, once per record for the life of the supervisor, however many cycles met it
    for (const kind of ["run", "planInput", "attempt", "chain", "badNode"])
      expect(log.filter((l) => l.includes(`corrupt record skipped: unreadable ${kind} record`))).toHaveLength(
        1
      );
  }, 600_000);

  it("/metrics counts the corrupt records by kind and the unreadable runs", async () => {
    const m = await dash.app.inject({ method: "GET", url: "/metrics" });
    expect(m.statusCode).toBe(200);
    for (const kind of ["run", "planInput", "attempt", "chain", "control", "badNode"])
      expect(m.body).toMatch(new RegExp(`^neoxctl_corrupt_records_total\\{kind="${kind}"\\} [1-9]`, "m"));
    expect(m.body).toMatch(/^neoxctl_runs\{state="unreadable"\} 3$/m);
    const page = await dash.app.inject({ method: "GET", url: `/runs/${runId("a1-run")}` });
    expect(page.statusCode).toBe(200);
  });
});
