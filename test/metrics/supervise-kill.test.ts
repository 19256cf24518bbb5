import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRun, Keys, RunStore } from "@neoxctl/supervisor";
import type { Run } from "@neoxctl/supervisor";
import { buildDashboard, SupervisorReadModel } from "@neoxctl/dashboard";
import type { Dashboard } from "@neoxctl/dashboard";
import { REPO_ROOT, removeScenario, scenarioInputs } from "../supervisor/scenario.ts";
import type { ScenarioInputs } from "../supervisor/scenario.ts";
import { testRedis } from "../supervisor/redis-helpers.ts";
import { localCluster } from "../supervisor/harness.ts";
import { parsePromText } from "../dashboard/prom-text-parser.ts";

// The real `neoxctl supervise` process supervising an emulator run on the local Slurm cluster,
// then killed with SIGKILL: doctor, the /metrics gauges and the banner must notice on their own.
const CLI = join(REPO_ROOT, "packages/cli/bin/neoxctl.js");

interface DoctorJson {
  ok: boolean;
  checks: { kind: string; subject: string; ok: boolean; detail: string }[];
}

let t: Awaited<ReturnType<typeof testRedis>>;
let store: RunStore;
let dash: Dashboard;
let base: string;
let inputs: ScenarioInputs;
let run: Run;
let child: ChildProcess;
let childLog = "";

function doctor(): { status: number | null; report: DoctorJson } {
  const r = spawnSync(process.execPath, [CLI, "doctor", "--json"], {
    encoding: "utf8",
    env: { ...process.env, NEOXCTL_REDIS_PREFIX: t.prefix }
  });
  return { status: r.status, report: JSON.parse(r.stdout) as DoctorJson };
}

async function metric(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return parsePromText(text)
    .get(name)
    ?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

async function until(what: string, ok: () => Promise<boolean>, rounds = 240): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} not reached; supervise output:\n${childLog.slice(-3000)}`);
}

beforeAll(async () => {
  t = await testRedis("metrics-kill");
  store = new RunStore(t.redis, new Keys(t.prefix));
  dash = await buildDashboard({ model: new SupervisorReadModel({ redis: t.redis, prefix: t.prefix }) });
  base = await dash.app.listen({ host: "127.0.0.1", port: 0 });
  inputs = scenarioInputs({
    name: "metrics-kill",
    trainIters: 5000,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "100" }
  });
  run = await createRun(store, localCluster().exec, { ...inputs, repoRoot: REPO_ROOT });
  child = spawn(process.execPath, [CLI, "supervise", "--poll-interval-ms", "500"], {
    env: { ...process.env, NEOXCTL_REDIS_PREFIX: t.prefix },
    stdio: ["ignore", "pipe", "pipe"]
  });
  child.stdout?.on("data", (c: Buffer) => (childLog += String(c)));
  child.stderr?.on("data", (c: Buffer) => (childLog += String(c)));
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await dash?.close();
  if (store && run) {
    const r = await store.getRun(run.id).catch(() => undefined);
    for (const a of r ? await store.attempts(r).catch(() => []) : [])
      if (a.jobId) spawnSync("scancel", [a.jobId]);
  }
  await t?.cleanup();
  if (inputs) removeScenario(inputs);
});

describe("a real supervise process, then kill -9", () => {
  it("while it runs: doctor passes and names the process; the cluster's gauge shows one live supervisor", async () => {
    await until(
      "the supervisor holds the run",
      async () => (await metric("neoxctl_supervisor_live", { cluster: run.cluster })) === 1
    );
    const { status, report } = doctor();
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(status).toBe(0);
    expect(report.checks.find((c) => c.kind === "supervisor")?.subject).toMatch(new RegExp(`:${child.pid}$`));
    expect(report.checks.find((c) => c.kind === "supervision" && c.subject === run.cluster)?.ok).toBe(true);
    expect(await (await fetch(`${base}/`)).text()).not.toContain("supervision-banner");
  });

  it("after SIGKILL: no live supervisor in doctor, gauge and banner", async () => {
    child.kill("SIGKILL");
    await until(
      "the heartbeat expired",
      async () => (await metric("neoxctl_cluster_unsupervised", { cluster: run.cluster })) === 1
    );
    expect(await metric("neoxctl_supervisors_live")).toBe(0);
    expect(await metric("neoxctl_supervisor_live", { cluster: run.cluster })).toBe(0);
    const { status, report } = doctor();
    expect(status).toBe(1);
    expect(report.checks.some((c) => c.kind === "supervisor")).toBe(false);
    expect(report.checks.find((c) => c.kind === "supervision" && c.subject === run.cluster)?.detail).toMatch(
      /NO live supervisor/
    );
    const page = await (await fetch(`${base}/runs/${run.id}`)).text();
    expect(page).toContain(`No live supervisor for ${run.cluster}`);
  });
});
