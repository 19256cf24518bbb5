import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRun, Keys, LeaseManager, RunStore, SeriesStore, Supervisor } from "@neoxctl/supervisor";
import type { Run } from "@neoxctl/supervisor";
import { buildDashboard, SupervisorReadModel } from "@neoxctl/dashboard";
import type { Dashboard } from "@neoxctl/dashboard";
import { REPO_ROOT, removeScenario, scenarioInputs } from "../supervisor/scenario.ts";
import type { ScenarioInputs } from "../supervisor/scenario.ts";
import { testRedis } from "../supervisor/redis-helpers.ts";
import { localCluster } from "../supervisor/harness.ts";
import { parsePromText } from "../dashboard/prom-text-parser.ts";
import { quickRules, startPrometheus } from "./prometheus.test-support.ts";
import type { Alert, RunningPrometheus } from "./prometheus.test-support.ts";

// A real Prometheus scrapes the dashboard while a real emulator run on the local Slurm cluster
// stalls (NEOX_EMU_HANG_AT), its supervisor then wedges (a test hook blocks its cycle) and then dies
// (halt: no more heartbeats or lease renewals, as after kill -9). The shipped rules, with their
// thresholds cut to seconds, must fire; `neoxctl doctor`, the banner and the gauges must agree.
const HANG_AT = 25;
const POLL_MS = 300;
const CLI = join(REPO_ROOT, "packages/cli/bin/neoxctl.js");

let t: Awaited<ReturnType<typeof testRedis>>;
let store: RunStore;
let series: SeriesStore;
let sup: Supervisor;
let dash: Dashboard;
let base: string;
let prom: RunningPrometheus;
let inputs: ScenarioInputs;
let run: Run;
let gate: { blocked: boolean; release: () => void; wait: Promise<void> };
/** cycles the supervisor in the background, as its poll job would, until the gate blocks it */
let cycling: Promise<void> | undefined;
const supLog: string[] = [];

interface DoctorJson {
  ok: boolean;
  checks: { kind: string; subject: string; ok: boolean; detail: string }[];
}

function doctor(): { status: number | null; report: DoctorJson } {
  const r = spawnSync(process.execPath, [CLI, "doctor", "--json"], {
    encoding: "utf8",
    env: { ...process.env, NEOXCTL_REDIS_PREFIX: t.prefix }
  });
  return { status: r.status, report: JSON.parse(r.stdout) as DoctorJson };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, rounds = 600): Promise<T> {
  for (let i = 0; i < rounds; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `${what} not reached\nsupervisor:\n${supLog.slice(-20).join("\n")}\nprometheus:\n${prom?.output() ?? ""}`
  );
}

const firing = (name: string, labels: Record<string, string>) => async (): Promise<Alert | undefined> =>
  (await prom.alerts()).find(
    (a) =>
      a.labels["alertname"] === name &&
      a.state === "firing" &&
      Object.entries(labels).every(([k, v]) => a.labels[k] === v)
  );

async function metric(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return parsePromText(text)
    .get(name)
    ?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

beforeAll(async () => {
  t = await testRedis("metrics-stall");
  const keys = new Keys(t.prefix);
  store = new RunStore(t.redis, keys);
  series = new SeriesStore(t.redis, keys);
  let release = (): void => {};
  const wait = new Promise<void>((r) => (release = r));
  gate = { blocked: false, release, wait };
  const cluster = localCluster();
  sup = new Supervisor(
    store,
    new LeaseManager(t.redis, keys, `metrics-test:${process.pid}`, 5000),
    () => cluster,
    {
      log: (l) => supLog.push(l),
      pollIntervalMs: POLL_MS,
      beforeCycle: () => (gate.blocked ? gate.wait : Promise.resolve())
    }
  );
  dash = await buildDashboard({ model: new SupervisorReadModel({ redis: t.redis, prefix: t.prefix }) });
  base = await dash.app.listen({ host: "127.0.0.1", port: 0 });
  prom = await startPrometheus(
    new URL(base).host,
    quickRules(join(REPO_ROOT, "ops/prometheus/neoxctl.rules.yml"), 3)
  );

  inputs = scenarioInputs({
    name: "metrics-stall",
    trainIters: 400,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "40", NEOX_EMU_HANG_AT: String(HANG_AT) }
  });
  // the scenario's 2 s hang floor would have the supervisor cancel the hung job while doctor runs;
  // this test is about the run staying stalled
  inputs.spec.resilience.hang.floor_s = 3600;
  run = await createRun(store, cluster.exec, { ...inputs, repoRoot: REPO_ROOT });
});

afterAll(async () => {
  await prom?.stop();
  await dash?.close();
  if (store && run) {
    const a = await store
      .getAttempt(run.id, (await store.mustGetRun(run.id)).attempts)
      .catch(() => undefined);
    if (a?.jobId) spawnSync("scancel", [a.jobId]);
  }
  sup?.halt();
  await t?.cleanup();
  if (inputs) removeScenario(inputs);
});

describe("shipped alert rules against a real Prometheus and a stalled run", () => {
  it("Prometheus scrapes the dashboard's /metrics on loopback", async () => {
    const target = await until("target up", async () =>
      (await prom.targets()).find((x) => x.health === "up")
    );
    expect(target.scrapeUrl).toBe(`${base}/metrics`);
  });

  it("a live supervisor: doctor is content, no banner", async () => {
    // cycle until the emulator reaches the step where it hangs (a bound on cycles, not on time)
    const last = async (): Promise<number> => (await series.read(run.id)).at(-1)?.step ?? 0;
    for (let i = 0; i < 600 && (await last()) < HANG_AT - 1; i++) {
      await sup.cycle();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await last()).toBeGreaterThanOrEqual(HANG_AT - 1);
    // doctor takes a while (CLI start, Slurm commands): the supervisor must keep cycling meanwhile
    cycling = (async () => {
      while (!gate.blocked) {
        await sup.cycle();
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const { status, report } = doctor();
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(status).toBe(0);
    expect(report.checks.find((c) => c.kind === "redis")?.ok).toBe(true);
    expect(report.checks.find((c) => c.kind === "cluster" && c.subject === run.cluster)?.detail).toMatch(
      /Slurm/
    );
    expect(report.checks.find((c) => c.kind === "supervisor")?.subject).toBe(`metrics-test:${process.pid}`);
    expect(await metric("neoxctl_supervisor_live", { cluster: run.cluster })).toBe(1);
    expect(await metric("neoxctl_cluster_unsupervised", { cluster: run.cluster })).toBe(0);
    expect(await (await fetch(`${base}/`)).text()).not.toContain("supervision-banner");
  });

  it("the stalled run makes NeoxctlRunNoProgress fire; the blocked supervisor is reported wedged", async () => {
    // the cycle now blocks in the test hook: leases and heartbeat go on, cycles do not
    gate.blocked = true;
    void sup.cycle();
    void cycling;
    const alert = await until("NeoxctlRunNoProgress firing", firing("NeoxctlRunNoProgress", { run: run.id }));
    expect(alert.labels["severity"]).toBe("warning");
    await until("NeoxctlSupervisorWedged firing", firing("NeoxctlSupervisorWedged", {}));
    expect(await metric("neoxctl_supervisors_wedged")).toBe(1);
    const { status, report } = doctor();
    expect(status).toBe(1);
    expect(report.checks.find((c) => c.kind === "supervisor")).toMatchObject({ ok: false });
    expect(report.checks.find((c) => c.kind === "supervisor")?.detail).toMatch(/^WEDGED/);
    expect(await (await fetch(`${base}/runs/${run.id}`)).text()).toContain('id="supervision-banner"');
  });

  it("a dead supervisor: NeoxctlNoLiveSupervisor fires, doctor says so, the gauge and the banner show it", async () => {
    sup.halt(); // no heartbeat, no lease renewal: to everyone else, a kill -9
    // a wedged supervisor already leaves its cluster unsupervised; wait until the process is gone
    // altogether (its heartbeat expired), not merely wedged
    await until("heartbeat expired", async () =>
      (await metric("neoxctl_supervisors_wedged")) === 0 && (await metric("neoxctl_supervisors_live")) === 0
        ? true
        : undefined
    );
    const alert = await until(
      "NeoxctlNoLiveSupervisor firing",
      firing("NeoxctlNoLiveSupervisor", { cluster: run.cluster })
    );
    expect(alert.labels["severity"]).toBe("critical");
    expect(await metric("neoxctl_cluster_unsupervised", { cluster: run.cluster })).toBe(1);
    expect(await metric("neoxctl_supervisors_live")).toBe(0);
    const { status, report } = doctor();
    expect(status).toBe(1);
    expect(report.checks.some((c) => c.kind === "supervisor")).toBe(false);
    expect(report.checks.find((c) => c.kind === "supervision" && c.subject === run.cluster)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/NO live supervisor/) as unknown
    });
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain('id="supervision-banner"');
    expect(page).toContain(`No live supervisor for ${run.cluster}`);
    const api = (await (await fetch(`${base}/api/supervision`)).json()) as {
      clusters: { unsupervised: boolean }[];
    };
    expect(api.clusters[0]?.unsupervised).toBe(true);
  });
});
