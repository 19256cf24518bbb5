import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { parseClusterProfile, parseRunSpec } from "@neoxctl/core";
import type { EventType, JobGraph } from "@neoxctl/core";
import { requiredFiles, requiredLayerPatterns } from "@neoxctl/monitor";
import type { Attempt, Run, StoredEvent } from "../model.ts";
import { Keys } from "../store/keys.ts";
import { LeaseManager } from "../store/lease.ts";
import { RunStore } from "../store/run-store.ts";
import { layoutOf, saveDirOf } from "../adapters/checkpoints.ts";
import { createRun } from "../worker/create-run.ts";
import { Supervisor } from "../worker/supervisor.ts";
import type { CycleReport } from "../worker/supervisor.ts";
import type { ChainPriors } from "../chain/measure.ts";
import type { GraphSelection } from "../graph/graph-state.ts";
import { FakeSlurm } from "./fake-slurm.test-support.ts";
import { MemoryExecutor } from "./memory-executor.test-support.ts";

const REPO = resolve(import.meta.dirname, "../../../..");
const RUN_DIR = "/cluster/run";
const SAVE_DIR = "/cluster/checkpoints";
/** 2025-01-01T00:00:00Z: any fixed instant; the tests move it by hand */
const T0 = Date.UTC(2025, 0, 1);

export interface RigOptions {
  trainIters?: number;
  checkpointFactor?: number;
  /** YAML for the spec's `resilience:` block (one flow mapping) */
  resilience?: string;
  chainPriors?: ChainPriors;
  /** a job graph for the run (its steps run around training) */
  graph?: JobGraph;
  /** `--from` / `--only` of the graph */
  selection?: GraphSelection;
}

/** A supervisor over real Redis (its own key prefix), a fake Slurm and an in-memory file system, on a clock the test moves. */
export interface Rig {
  slurm: FakeSlurm;
  exec: MemoryExecutor;
  store: RunStore;
  sup: Supervisor;
  runId: string;
  /** events the supervisor reported after committing them (what the worker's queues receive) */
  reported: { type: EventType; cause: string }[];
  now(): number;
  advance(ms: number): void;
  cycle(): Promise<CycleReport>;
  run(): Promise<Run>;
  attempt(n?: number): Promise<Attempt>;
  events(): Promise<StoredEvent[]>;
  types(): Promise<EventType[]>;
  /** the Slurm job of attempt `n` (default: the current one) */
  jobId(n?: number): Promise<string>;
  /** appends NeoX log text to attempt `n`'s output file */
  log(n: number, text: string): Promise<void>;
  /** writes a complete checkpoint of `step` (all files of the run's layout, configs last) and `latest` */
  checkpoint(step: number): void;
  close(): Promise<void>;
}

async function makeRig(redis: Redis, o: RigOptions = {}): Promise<Rig> {
  let now = T0;
  const clock = (): number => now;
  const prefix = `neoxctl-unit:${randomUUID()}:`;
  const keys = new Keys(prefix);
  const store = new RunStore(redis, keys);
  const slurm = new FakeSlurm();
  const exec = new MemoryExecutor(clock);
  const reported: Rig["reported"] = [];
  const sup = new Supervisor(store, new LeaseManager(redis, keys, "unit", 60_000), () => ({ exec, slurm }), {
    now: clock,
    onEvent: (_id, type, cause) => reported.push({ type, cause }),
    ...(o.chainPriors ? { chainPriors: o.chainPriors } : {})
  });
  const specText = readFileSync(join(REPO, "examples/local-demo.yaml"), "utf8")
    .replace(/^name: .*$/m, "name: unit")
    .replace(/save: .*$/m, `save: ${SAVE_DIR}`)
    .replace(/checkpoint_factor: .*$/m, `checkpoint_factor: ${o.checkpointFactor ?? 10}`)
    .replace(/^\s*keep_last_n: .*\n/m, "")
    .replace(/train_iters: .*$/m, `train_iters: ${o.trainIters ?? 100}`)
    .replace(/^cluster:/m, `resilience: ${o.resilience ?? "{}"}\ncluster:`);
  const spec = parseRunSpec(specText, "unit.yaml");
  const profile = parseClusterProfile(readFileSync(join(REPO, "clusters/local.yaml"), "utf8"), "local.yaml");
  const run = await createRun(
    store,
    exec,
    {
      spec,
      profile,
      manifest: spec.data.inline!,
      repoRoot: "/opt/neoxctl",
      runDir: RUN_DIR,
      runId: "unit-run",
      ...(o.graph ? { graph: o.graph } : {}),
      ...(o.selection ? { selection: o.selection } : {})
    },
    now
  );
  const rig: Rig = {
    slurm,
    exec,
    store,
    sup,
    runId: run.id,
    reported,
    now: clock,
    advance: (ms) => {
      now += ms;
    },
    cycle: () => sup.cycle(),
    run: () => store.mustGetRun(run.id),
    attempt: async (n) => {
      const a = await store.getAttempt(run.id, n ?? (await rig.run()).attempts);
      if (!a) throw new Error(`no attempt ${n ?? "current"}`);
      return a;
    },
    events: () => store.events(run.id),
    types: async () => (await store.events(run.id)).map((e) => e.type),
    jobId: async (n) => {
      const id = (await rig.attempt(n)).jobId;
      if (!id) throw new Error(`attempt ${n ?? "current"} has no job`);
      return id;
    },
    log: async (n, text) => exec.append((await rig.attempt(n)).logPath, text),
    checkpoint: (step) => {
      const dir = `${saveDirOf(run)}/global_step${step}`;
      const layout = layoutOf(run);
      for (const f of requiredFiles(layout)) exec.append(`${dir}/${f}`, "weights");
      for (const { tp } of requiredLayerPatterns(layout))
        exec.append(`${dir}/layer_01-model_${String(tp).padStart(2, "0")}-model_states.pt`, "weights");
      exec.append(`${dir}/configs/neox.yml`, "{}");
      void exec.writeFile(`${saveDirOf(run)}/latest`, `global_step${step}`);
    },
    close: async () => {
      await sup.release();
      for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<
        string[]
      >)
        if (batch.length) await redis.del(...batch);
    }
  };
  return rig;
}

/** A NeoX training log line, as the emulator and NeoX print it. */
export function trainLine(it: number, loss = 2.5, ms = 30): string {
  return ` samples/sec: 83.252 | iteration ${String(it).padStart(8)}/     300 | elapsed time per iteration (ms): ${ms.toFixed(1)} | learning rate: 1.000E-04 | approx flops per GPU: 95.7TFLOPS | lm_loss: ${neoxFloat(loss)} | number of skipped iterations:   0 | number of nan iterations:   0 |\n`;
}

/** Training lines for steps from..to (inclusive) with a gently falling, slightly noisy loss. */
export function trainLines(
  from: number,
  to: number,
  loss = (s: number) => 3 - s / 1000 + ((s * 7) % 5) / 1000
): string {
  let out = "";
  for (let s = from; s <= to; s++) out += trainLine(s, loss(s));
  return out;
}

/** `2.500000E+00`: NeoX's loss format */
function neoxFloat(x: number): string {
  const [m, e] = x.toExponential(6).split("e");
  const exp = Number(e);
  return `${m!.toUpperCase()}E${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/**
 * Registers the hooks for a test file that uses rigs (one Redis connection, every rig's keys deleted
 * after its test) and returns the rig factory.
 */
export function rigFactory(hooks: {
  beforeAll: (fn: () => void) => void;
  afterEach: (fn: () => Promise<void>) => void;
  afterAll: (fn: () => void) => void;
}): (o?: RigOptions) => Promise<Rig> {
  let redis: Redis | undefined;
  const open: Rig[] = [];
  hooks.beforeAll(() => {
    redis = new Redis(process.env.NEOXCTL_REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
  });
  hooks.afterEach(async () => {
    for (const r of open.splice(0)) await r.close();
  });
  hooks.afterAll(() => redis?.disconnect());
  return async (o) => {
    if (!redis) throw new Error("rigFactory: beforeAll has not run");
    const r = await makeRig(redis, o);
    open.push(r);
    return r;
  };
}

/** Cycles until the current attempt's job is submitted, then starts it on `nodes` and cycles once more (job_started). */
export async function startCurrent(
  rig: Rig,
  nodes: readonly string[] = ["nid001", "nid002"]
): Promise<string> {
  const a = await rig.attempt();
  if (!a.jobId) await rig.cycle();
  const job = await rig.jobId();
  rig.slurm.start(job, nodes);
  await rig.cycle();
  return job;
}
