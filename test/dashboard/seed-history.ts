import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Redis } from "ioredis";
import { ResilienceSchema } from "@neoxctl/core";
import { Keys, noBudgetUsed, RunStore, SeriesStore } from "@neoxctl/supervisor";
import type { Attempt, AttemptParams, Op, Run, RunEvent, RunState, StepPoint } from "@neoxctl/supervisor";
import type { EventType } from "@neoxctl/core";

/**
 * Writes run histories through the supervisor's own store API (RunStore.commit, SeriesStore),
 * from recorded real curves: the Pythia-410M seed-8 log (restarts that rewind the step counter and
 * a rollback), and the BigScience tr1-13B spike excerpt with its log lines.
 */
// The recorded curves committed with the monitor's tests (sources and licences in their README).
const LOSSLOGS = resolve(import.meta.dirname, "../../packages/monitor/src/__fixtures__");
export const XSS_NAME = `<img src=x onerror="window.__xss=1">run`;
const XSS_LOG = `</pre><script>window.__xss=2</script><b>bold</b>`;

function t(minutes: number): string {
  return new Date(Date.UTC(2026, 10, 20, 8, 0) + minutes * 60_000).toISOString();
}

function baseRun(id: string, name: string, state: RunState, trainIters: number, lr: number): Run {
  return {
    id,
    name,
    state,
    cluster: "lumi-g",
    runDir: `/scratch/project/${id}`,
    trainIters,
    resilience: ResilienceSchema.parse({}),
    // the stored shape the supervisor checks (spec, profile, manifest); the NeoX sizes give tokens/step
    planInput: {
      spec: { name },
      profile: { name: "lumi-g" },
      manifest: {},
      neox: { train_batch_size: 1024, seq_length: 2048 }
    },
    params: { load: { kind: "init" }, lr, seed: 1234, excludeNodes: [] },
    attempts: 0,
    budgetsUsed: noBudgetUsed(),
    rollbacks: [],
    crashLoop: null,
    noted: [],
    abandoned: [],
    specLr: lr,
    initFromCheckpoint: false,
    createdAt: t(0),
    updatedAt: t(0)
  };
}

function attempt(
  index: number,
  reason: Attempt["reason"],
  params: AttemptParams,
  jobId: string,
  start: number,
  end?: number,
  endState?: string
): Attempt {
  return {
    index,
    reason,
    params,
    diff: [],
    phase: end === undefined ? "submitted" : "ended",
    configDir: `/scratch/attempt-${index}`,
    logPath: `/scratch/attempt-${index}/slurm.out`,
    jobId,
    restartsSeen: 0,
    cancelRequested: false,
    createdAt: t(start),
    ...(end !== undefined ? { endedAt: t(end) } : {}),
    ...(endState ? { endState } : {}),
    logOffset: 0
  };
}

/** Pythia rows up to `lastStep` of the fourth segment: attempt = segment index + 1. */
function pythiaPoints(lastStep: number, lrOf: (attempt: number) => number): StepPoint[] {
  const rows = readFileSync(`${LOSSLOGS}/full/csv/pythia410m_seed8.csv`, "utf8").split("\n").slice(1);
  const out: StepPoint[] = [];
  for (const row of rows) {
    const [step, loss, , seg] = row.split(",");
    const a = Number(seg) + 1;
    if (a > 4) break;
    if (a === 4 && Number(step) > lastStep) break;
    const s = Number(step);
    out.push({
      step: s,
      attempt: a,
      loss: Number(loss),
      lr: lrOf(a) * Math.min(1, s / 500),
      stepTimeMs: 840 + ((s * 37) % 60),
      time: t(s / 10)
    });
  }
  return out;
}

function ev(type: EventType, minute: number, cause: string, extra: Partial<RunEvent> = {}): RunEvent {
  return { type, time: t(minute), cause, evidence: {}, ...extra };
}

export interface Seeded {
  prefix: string;
  pythiaId: string;
  bloomId: string;
  xssId: string;
  total: number;
  pythiaPoints: number;
}

export async function seedHistory(redis: Redis, prefix: string, extraCompleted: number): Promise<Seeded> {
  const keys = new Keys(prefix);
  const store = new RunStore(redis, keys);
  const series = new SeriesStore(redis, keys);
  const ops: Op[] = [];
  const add = (run: Run): void => {
    ops.push({ op: "sadd", key: keys.runs(), value: run.id }, store.putRun(run));
  };

  // Pythia: node failure → resume, spike → rollback with LR ÷ 3, timeout → resume, running
  const p = baseRun("pythia-410m-a1b2", "pythia-410m-lumi", "running", 143000, 3e-4);
  const params1: AttemptParams = { load: { kind: "init" }, lr: 3e-4, seed: 1234, excludeNodes: [] };
  const params2: AttemptParams = {
    load: { kind: "resume", iteration: 512 },
    lr: 3e-4,
    seed: 1234,
    excludeNodes: ["nid005012"]
  };
  const params3: AttemptParams = {
    load: { kind: "resume", iteration: 1000 },
    lr: 1e-4,
    seed: 1235,
    excludeNodes: ["nid005012"]
  };
  const params4: AttemptParams = {
    load: { kind: "resume", iteration: 2000 },
    lr: 1e-4,
    seed: 1235,
    excludeNodes: ["nid005012"]
  };
  const attempts = [
    attempt(1, "first", params1, "7340001", 0, 67, "NODE_FAIL"),
    {
      ...attempt(2, "node", params2, "7340019", 70, 168, "CANCELLED"),
      diff: [{ field: "excludeNodes" as const, from: [], to: ["nid005012"] }]
    },
    {
      ...attempt(3, "spike", params3, "7340044", 170, 226, "TIMEOUT"),
      diff: [
        { field: "lr" as const, from: 3e-4, to: 1e-4 },
        { field: "seed" as const, from: 1234, to: 1235 }
      ]
    },
    attempt(4, "timeout", params4, "7340102", 230)
  ];
  const points = pythiaPoints(3000, (a) => (a >= 3 ? 1e-4 : 3e-4));
  p.attempts = 4;
  p.params = params4;
  p.budgetsUsed = { ...noBudgetUsed(), node: 2, spike: 1, timeout: 1 };
  p.rollbacks = [{ attempt: 2, onsetStep: 1600, toStep: 1000, lrFrom: 3e-4, lrTo: 1e-4 }];
  p.updatedAt = t(300);
  add(p);
  for (const a of attempts) ops.push(store.putAttempt(p.id, a));
  for (const e of [
    ev("run_created", 0, "run planned on lumi-g", { to: "planned", attempt: 1 }),
    ev("attempt_submitted", 1, "attempt 1 submitted as job 7340001", {
      from: "planned",
      to: "queued",
      attempt: 1,
      evidence: { jobId: "7340001" }
    }),
    ev("job_started", 2, "job 7340001 started", {
      from: "queued",
      to: "running",
      attempt: 1,
      evidence: { jobId: "7340001", nodes: ["nid005011", "nid005012"] }
    }),
    ev("recover_node", 67, "job 7340001 ended NODE_FAIL on nid005012", {
      from: "running",
      to: "recovering",
      attempt: 1,
      evidence: {
        slurmState: "NODE_FAIL",
        jobId: "7340001",
        nodes: ["nid005012"],
        checkpoint: 512,
        configDiff: [{ field: "excludeNodes", from: [], to: ["nid005012"] }],
        logLines: [
          "srun: error: Node failure on nid005012",
          "slurmstepd: error: *** JOB 7340001 ON nid005011 CANCELLED DUE TO NODE FAILURE ***"
        ]
      }
    }),
    ev("attempt_submitted", 70, "attempt 2 submitted as job 7340019", {
      from: "recovering",
      to: "queued",
      attempt: 2,
      evidence: { jobId: "7340019" }
    }),
    ev("job_started", 71, "job 7340019 started", {
      from: "queued",
      to: "running",
      attempt: 2,
      evidence: { jobId: "7340019", nodes: ["nid005011", "nid005013"] }
    }),
    ev(
      "rollback",
      168,
      "loss spike at step 1600 did not recover within 50 steps; rolling back to step 1000 with LR 3.000e-4 × 0.333 = 1.000e-4",
      {
        from: "running",
        to: "recovering",
        attempt: 2,
        evidence: {
          checkpoint: 1000,
          slurmState: "RUNNING",
          jobId: "7340019",
          configDiff: [
            { field: "lr", from: 3e-4, to: 1e-4 },
            { field: "seed", from: 1234, to: 1235 }
          ],
          detail: { kind: "spike", onsetStep: 1600, step: 1650 },
          logLines: [
            " iteration     1600/  143000 | lm_loss: 3.318E+00 |",
            " iteration     1650/  143000 | lm_loss: 3.145E+00 |"
          ]
        }
      }
    ),
    ev("attempt_submitted", 170, "attempt 3 submitted as job 7340044", {
      from: "recovering",
      to: "queued",
      attempt: 3,
      evidence: { jobId: "7340044" }
    }),
    ev("job_started", 171, "job 7340044 started", {
      from: "queued",
      to: "running",
      attempt: 3,
      evidence: { jobId: "7340044", nodes: ["nid005011", "nid005013"] }
    }),
    ev("recover_timeout", 226, "job 7340044 ended TIMEOUT; resuming from the newest complete checkpoint", {
      from: "running",
      to: "recovering",
      attempt: 3,
      evidence: { slurmState: "TIMEOUT", jobId: "7340044", checkpoint: 2000 }
    }),
    ev("attempt_submitted", 230, "attempt 4 submitted as job 7340102", {
      from: "recovering",
      to: "queued",
      attempt: 4,
      evidence: { jobId: "7340102" }
    }),
    ev("job_started", 231, "job 7340102 started", {
      from: "queued",
      to: "running",
      attempt: 4,
      evidence: { jobId: "7340102", nodes: ["nid005011", "nid005014"] }
    })
  ])
    ops.push(store.event(p.id, e));
  for (let i = 0; i < points.length; i += 200) ops.push(...series.appendOps(p.id, points.slice(i, i + 200)));

  // BigScience tr1-13B: an unrecovered spike left for a human
  const rawLines = readFileSync(`${LOSSLOGS}/raw/bs_tr1_13B_spike29050.txt`, "utf8")
    .split("\n")
    .filter((l) => l.includes("iteration"));
  const b = baseRun("bs-tr1-13b-c3d4", "bigscience-tr1-13B", "needs_attention", 311541, 9.85e-5);
  b.attempts = 1;
  b.attention = "loss spike at step 29050; already 2 rollbacks within 2000 steps (cap 2)";
  b.updatedAt = t(200);
  add(b);
  ops.push(store.putAttempt(b.id, attempt(1, "first", b.params, "7350007", 5, 190, "CANCELLED")));
  ops.push(
    store.event(
      b.id,
      ev("needs_attention", 190, b.attention, {
        from: "running",
        to: "needs_attention",
        attempt: 1,
        evidence: {
          slurmState: "RUNNING",
          jobId: "7350007",
          logLines: rawLines.slice(2, 6),
          detail: { kind: "spike", onsetStep: 29050, step: 29090 }
        }
      })
    )
  );
  const csv = readFileSync(`${LOSSLOGS}/csv/bs_tr1_13B_spike29050.csv`, "utf8").trim().split("\n").slice(1);
  ops.push(
    ...series.appendOps(
      b.id,
      csv.map((r) => {
        const [s, l, lr] = r.split(",");
        return {
          step: Number(s),
          attempt: 1,
          loss: Number(l),
          lr: Number(lr),
          stepTimeMs: 22300,
          time: t(190)
        };
      })
    )
  );

  // a run whose name and log excerpt carry markup: pages must show it as text
  const x = baseRun("xss-e5f6", XSS_NAME, "failed", 1000, 1e-4);
  x.attempts = 1;
  x.updatedAt = t(150);
  add(x);
  ops.push(store.putAttempt(x.id, attempt(1, "first", x.params, "7360001", 3, 20, "FAILED")));
  ops.push(
    store.event(
      x.id,
      ev("needs_attention", 20, `app error budget spent <i>${XSS_NAME}</i>`, {
        from: "running",
        to: "failed",
        attempt: 1,
        evidence: { slurmState: "FAILED", logLines: [XSS_LOG] }
      })
    )
  );

  for (let i = 0; i < extraCompleted; i++) {
    const r = baseRun(`done-${String(i).padStart(4, "0")}`, `sweep-lr-${i}`, "completed", 2000, 1e-4);
    r.updatedAt = t(10 + (i % 100));
    r.attempts = 1;
    add(r);
    ops.push(
      ...series.appendOps(r.id, [
        { step: 2000, attempt: 1, loss: 3 + (i % 17) / 10, lr: 1e-5, stepTimeMs: 400, time: t(100) }
      ])
    );
  }
  for (let i = 0; i < ops.length; i += 500) await store.commit(null, ops.slice(i, i + 500));
  // blamed in two attempts: the second blame keeps the node out for good
  await store.commit(null, await store.blameOps(p.id, ["nid005012"], "NODE_FAIL in job 7340001", 24));
  await store.commit(
    null,
    await store.blameOps(p.id, ["nid005012"], "RCCL error naming nid005012 in job 7340019", 24)
  );
  return {
    prefix,
    pythiaId: p.id,
    bloomId: b.id,
    xssId: x.id,
    total: 3 + extraCompleted,
    pythiaPoints: points.length
  };
}

export async function clearPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
}
