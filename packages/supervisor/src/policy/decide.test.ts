import { describe, expect, it } from "vitest";
import { ResilienceSchema } from "@neoxctl/core";
import type { Resilience } from "@neoxctl/core";
import { decide } from "./decide.ts";
import type { DecisionContext } from "./context.ts";
import type { Decision } from "./decision.ts";
import type { JobView, LossAlarm, Observations, StorageFailure } from "../ports.ts";
import { emptyObservations } from "../ports.ts";
import { noBudgetUsed } from "../model.ts";
import type { AttemptParams, RollbackRecord } from "../model.ts";

const LR = 3e-4;

function ctx(
  over: {
    job?: Partial<JobView> | null;
    obs?: Partial<Observations>;
    checkpoints?: number[];
    resilience?: Record<string, unknown>;
    budgetsUsed?: Partial<ReturnType<typeof noBudgetUsed>>;
    params?: Partial<AttemptParams>;
    attemptParams?: Partial<AttemptParams>;
    restartsSeen?: number;
    rollbacks?: DecisionContext["run"]["rollbacks"];
    crashLoop?: DecisionContext["run"]["crashLoop"];
    downNodes?: string[];
    expectsCheckpoint?: boolean;
  } = {}
): DecisionContext {
  const resilience: Resilience = ResilienceSchema.parse(over.resilience ?? {});
  const params: AttemptParams = {
    load: { kind: "init" },
    lr: LR,
    seed: 1234,
    excludeNodes: [],
    ...over.params
  };
  return {
    run: {
      params,
      trainIters: 1000,
      resilience,
      budgetsUsed: { ...noBudgetUsed(), ...over.budgetsUsed },
      rollbacks: over.rollbacks ?? [],
      crashLoop: over.crashLoop ?? null
    },
    attempt: { index: 2, params: { ...params, ...over.attemptParams }, restartsSeen: over.restartsSeen ?? 0 },
    job:
      over.job === null
        ? undefined
        : { jobId: "42", state: "RUNNING", nodes: ["nid001", "nid002"], restarts: 0, ...over.job },
    downNodes: over.downNodes ?? [],
    obs: { ...emptyObservations(), ...over.obs },
    checkpoints: over.checkpoints ?? [],
    expectsCheckpoint: over.expectsCheckpoint ?? false
  };
}

function asRecover(d: Decision): Extract<Decision, { kind: "recover" }> {
  if (d.kind !== "recover")
    throw new Error(`expected recover, got ${d.kind}: ${"cause" in d ? d.cause : ""}`);
  return d;
}

const spike = (o: Partial<LossAlarm> = {}): LossAlarm => ({
  kind: "spike",
  actionable: true,
  segment: 0,
  onsetStep: 500,
  step: 505,
  recovered: false,
  lines: ["iteration 505 lm_loss 9.1"],
  ...o
});

describe("decide: node failures", () => {
  it("NODE_FAIL → resubmit from newest complete checkpoint excluding the failed node", () => {
    const d = asRecover(
      decide(ctx({ job: { state: "NODE_FAIL", failedNodes: ["nid002"] }, checkpoints: [100, 200, 300] }))
    );
    expect(d.class).toBe("node");
    expect(d.cancel).toBe(false);
    expect(d.next.load).toEqual({ kind: "resume", iteration: 300 });
    expect(d.next.excludeNodes).toEqual(["nid002"]);
    expect(d.blame).toEqual(["nid002"]);
  });
  it("NODE_FAIL without named nodes blames the job's nodes and keeps earlier exclusions", () => {
    const d = asRecover(
      decide(ctx({ job: { state: "NODE_FAIL", nodes: ["nid003"] }, params: { excludeNodes: ["nid004"] } }))
    );
    expect(d.next.excludeNodes).toEqual(["nid003", "nid004"]);
    expect(d.next.load).toEqual({ kind: "init" });
  });
  it("a node DOWN under a running job → cancel and resubmit without it", () => {
    const d = asRecover(decide(ctx({ downNodes: ["nid001"], checkpoints: [50] })));
    expect(d).toMatchObject({ class: "node", cancel: true, blame: ["nid001"] });
    expect(d.next.load).toEqual({ kind: "resume", iteration: 50 });
  });
  it("an RCCL/HIP error naming a node while running → cancel, exclude it", () => {
    const d = asRecover(
      decide(ctx({ obs: { errorNodes: ["nid003"], errorLines: ["NCCL WARN nid003 ..."] } }))
    );
    expect(d).toMatchObject({ class: "node", cancel: true, blame: ["nid003"] });
    expect(d.evidence.logLines).toContain("NCCL WARN nid003 ...");
  });
  it("a FAILED job after RCCL errors on a node counts as a node failure, not an app error", () => {
    const d = asRecover(
      decide(ctx({ job: { state: "FAILED", exitCode: 1 }, obs: { errorNodes: ["nid003"] } }))
    );
    expect(d.class).toBe("node");
  });
  it("node budget spent → needs_attention", () => {
    const d = decide(
      ctx({ job: { state: "NODE_FAIL", failedNodes: ["nid002"] }, budgetsUsed: { node: 20 } })
    );
    expect(d.kind).toBe("attention");
  });
});

describe("decide: timeouts, preemption and Slurm's own requeue", () => {
  it.each(["TIMEOUT", "PREEMPTED"] as const)("%s → resume from the newest complete checkpoint", (state) => {
    const d = asRecover(decide(ctx({ job: { state }, checkpoints: [100, 400] })));
    expect(d).toMatchObject({ class: "timeout", cancel: false });
    expect(d.next.load).toEqual({ kind: "resume", iteration: 400 });
  });
  it("timeout budget spent → needs_attention", () => {
    expect(decide(ctx({ job: { state: "TIMEOUT" }, budgetsUsed: { timeout: 100 } })).kind).toBe("attention");
  });
  // every attempt is submitted --no-requeue; a requeue that happens anyway (requeue re-enabled by
  // an admin) must not rerun the script from the checkpoint it was rendered with
  it("a requeued resume attempt with newer checkpoints is taken over: newest checkpoint, node excluded", () => {
    const d = asRecover(
      decide(
        ctx({
          job: { state: "PENDING", restarts: 1 },
          attemptParams: { load: { kind: "resume", iteration: 20 } },
          checkpoints: [20, 30, 40],
          downNodes: ["nid002"]
        })
      )
    );
    expect(d).toMatchObject({ class: "node", cancel: true, blame: ["nid002"] });
    expect(d.next.load).toEqual({ kind: "resume", iteration: 40 });
    expect(d.next.excludeNodes).toEqual(["nid002"]);
  });
  it("a requeue blames the nodes Slurm saw fail when none is DOWN any more", () => {
    const d = asRecover(
      decide(
        ctx({
          job: { state: "REQUEUED", restarts: 1, failedNodes: ["nid003"] },
          attemptParams: { load: { kind: "resume", iteration: 100 } },
          checkpoints: [100]
        })
      )
    );
    expect(d).toMatchObject({ class: "node", cancel: true, blame: ["nid003"] });
    expect(d.next.excludeNodes).toEqual(["nid003"]);
  });
  it("a requeue with no node named (an admin's) is an interruption like preemption, nobody blamed", () => {
    const d = asRecover(
      decide(
        ctx({
          job: { state: "PENDING", restarts: 2 },
          restartsSeen: 1,
          attemptParams: { load: { kind: "resume", iteration: 100 } },
          checkpoints: [100, 200]
        })
      )
    );
    expect(d).toMatchObject({ class: "timeout", cancel: true, blame: [] });
    expect(d.next.load).toEqual({ kind: "resume", iteration: 200 });
  });
  it("a requeue already seen is just waiting", () => {
    expect(decide(ctx({ job: { state: "PENDING", restarts: 1 }, restartsSeen: 1 })).kind).toBe("wait");
  });
  it("a requeue that would restart from scratch while checkpoints exist is taken over", () => {
    const d = asRecover(
      decide(ctx({ job: { state: "REQUEUED", restarts: 1 }, checkpoints: [200], downNodes: ["nid002"] }))
    );
    expect(d).toMatchObject({ class: "node", cancel: true });
    expect(d.next.load).toEqual({ kind: "resume", iteration: 200 });
    expect(d.next.excludeNodes).toEqual(["nid002"]);
  });
  it("pending in the queue → wait", () => {
    expect(decide(ctx({ job: { state: "PENDING" } })).kind).toBe("wait");
  });
  it("UNKNOWN state → wait, never fail", () => {
    expect(decide(ctx({ job: { state: "UNKNOWN" } })).kind).toBe("wait");
  });
});

describe("decide: hangs", () => {
  it("hang → cancel then resume, hang budget", () => {
    const d = asRecover(decide(ctx({ obs: { hang: true, lastIteration: 250 }, checkpoints: [200] })));
    expect(d).toMatchObject({ class: "hang", cancel: true });
    expect(d.next.load).toEqual({ kind: "resume", iteration: 200 });
  });
  it("hang budget spent → needs_attention, still cancelling the hung job", () => {
    expect(decide(ctx({ obs: { hang: true }, budgetsUsed: { hang: 10 } }))).toMatchObject({
      kind: "attention",
      cancel: true
    });
  });
  it("no hang once the log shows the final iteration: the job is finishing (controller away when it ended)", () => {
    expect(decide(ctx({ obs: { hang: true, lastIteration: 1000 }, checkpoints: [1000] })).kind).toBe("wait");
  });
  it("no hang once NeoX printed `exiting the program at iteration N`", () => {
    expect(
      decide(ctx({ obs: { hang: true, lastIteration: 600, exitedAt: 600 }, checkpoints: [600] })).kind
    ).toBe("wait");
  });
  it("a stall one iteration short of the end is still a hang", () => {
    expect(
      asRecover(decide(ctx({ obs: { hang: true, lastIteration: 999 }, checkpoints: [900] }))).class
    ).toBe("hang");
  });
});

describe("decide: application errors and crash loops", () => {
  it("FAILED → retry within budget and start counting failures at that step", () => {
    const d = asRecover(
      decide(ctx({ job: { state: "FAILED", exitCode: 1 }, obs: { lastIteration: 300 }, checkpoints: [300] }))
    );
    expect(d.class).toBe("app");
    expect(d.crashLoop).toEqual({ step: 300, count: 1 });
  });
  it("a failure at a different step restarts the count", () => {
    const d = asRecover(
      decide(
        ctx({ job: { state: "FAILED" }, obs: { lastIteration: 310 }, crashLoop: { step: 300, count: 2 } })
      )
    );
    expect(d.crashLoop).toEqual({ step: 310, count: 1 });
  });
  it("the same step failing crash_loop_limit times in a row → needs_attention", () => {
    const d = decide(
      ctx({ job: { state: "FAILED" }, obs: { lastIteration: 300 }, crashLoop: { step: 300, count: 2 } })
    );
    expect(d.kind).toBe("attention");
    expect(d.kind === "attention" && d.cause).toMatch(/crash loop/);
  });
  it("the limit is read from the spec", () => {
    const d = decide(
      ctx({
        job: { state: "FAILED" },
        obs: { lastIteration: 300 },
        crashLoop: { step: 300, count: 2 },
        resilience: { crash_loop_limit: 5 }
      })
    );
    expect(d.kind).toBe("recover");
  });
  it("app budget spent → needs_attention", () => {
    expect(decide(ctx({ job: { state: "FAILED" }, budgetsUsed: { app: 5 } })).kind).toBe("attention");
  });
  it("a job cancelled outside neoxctl → needs_attention, not a retry", () => {
    expect(decide(ctx({ job: { state: "CANCELLED" } }))).toMatchObject({ kind: "attention", cancel: false });
  });
});

describe("decide: silent restart guard", () => {
  it("`Unable to load checkpoint.` on a resume → cancel at once, needs_attention", () => {
    const d = decide(
      ctx({
        obs: { unableToLoad: true },
        attemptParams: { load: { kind: "resume", iteration: 200 } },
        checkpoints: [200]
      })
    );
    expect(d).toMatchObject({ kind: "attention", cancel: true });
  });
  it("`Unable to load checkpoint.` when the first attempt should load a pretrained checkpoint", () => {
    expect(decide(ctx({ obs: { unableToLoad: true }, expectsCheckpoint: true }))).toMatchObject({
      kind: "attention",
      cancel: true
    });
  });
  it("`Unable to load checkpoint.` on a from-scratch first attempt is expected", () => {
    expect(decide(ctx({ obs: { unableToLoad: true } })).kind).toBe("wait");
  });
  it("resume starting at iteration 0 while a checkpoint exists → needs_attention", () => {
    const d = decide(
      ctx({ obs: { resumedFrom: 0 }, attemptParams: { load: { kind: "resume" } }, checkpoints: [300] })
    );
    expect(d).toMatchObject({ kind: "attention", cancel: true });
  });
  it("training lines starting below the checkpoint → needs_attention even without the load line", () => {
    const d = decide(
      ctx({
        obs: { firstIteration: 1 },
        attemptParams: { load: { kind: "resume", iteration: 300 } },
        checkpoints: [300]
      })
    );
    expect(d.kind).toBe("attention");
  });
  it("a correct resume passes the guard", () => {
    const d = decide(
      ctx({
        obs: { resumedFrom: 300, firstIteration: 301 },
        attemptParams: { load: { kind: "resume", iteration: 300 } },
        checkpoints: [300]
      })
    );
    expect(d.kind).toBe("wait");
  });
});

describe("decide: loss spikes and NaN", () => {
  const ckpts = [100, 200, 300, 400, 500];
  it("a spike that recovered within the window is recorded, the run continues", () => {
    expect(
      decide(ctx({ obs: { alarm: spike({ recovered: true, recoveredAt: 520 }), lastIteration: 530 } }))
    ).toMatchObject({ kind: "note", note: "spike_recovered" });
  });
  it("a fresh spike inside the window → wait", () => {
    expect(decide(ctx({ obs: { alarm: spike(), lastIteration: 510 } })).kind).toBe("wait");
  });
  it("a spike past the window → cancel, roll back ≥ M steps before onset, LR × factor with the scheduler overridden", () => {
    const d = asRecover(decide(ctx({ obs: { alarm: spike(), lastIteration: 560 }, checkpoints: ckpts })));
    expect(d).toMatchObject({ class: "spike", cancel: true });
    expect(d.next.load).toEqual({ kind: "resume", iteration: 400 });
    expect(d.next.lr).toBeCloseTo(1e-4);
    expect(d.rollback).toEqual({ onsetStep: 500, toStep: 400, lrFrom: LR, lrTo: d.next.lr });
    expect(d.next.seed).toBe(1234);
    expect(d.tradeoffs).toEqual([]);
  });
  it("NaN rolls back at once, without waiting", () => {
    const d = asRecover(
      decide(ctx({ obs: { alarm: spike({ kind: "nan" }), lastIteration: 505 }, checkpoints: ckpts }))
    );
    expect(d.class).toBe("spike");
  });
  it("a notice (one-point outlier that came straight back) is only recorded, even past the window and as the job ends", () => {
    const notice = spike({ kind: "outlier", actionable: false, onsetStep: 500, step: 500 });
    for (const job of [{}, { state: "COMPLETED" as const, exitCode: 0 }]) {
      const d = decide(ctx({ job, obs: { alarm: notice, lastIteration: 1000 }, checkpoints: ckpts }));
      expect(d.kind).not.toBe("recover");
      expect(d.kind).not.toBe("attention");
    }
    expect(decide(ctx({ obs: { alarm: notice, lastIteration: 560 }, checkpoints: ckpts }))).toMatchObject({
      kind: "note",
      note: "spike_watch"
    });
  });
  it("a slow-onset climb rolls back at once to before the climb started, naming its segment", () => {
    const d = asRecover(
      decide(
        ctx({
          obs: { alarm: spike({ kind: "climb", onsetStep: 450, step: 505, segment: 1 }), lastIteration: 505 },
          checkpoints: ckpts
        })
      )
    );
    expect(d.next.load).toEqual({ kind: "resume", iteration: 300 });
    expect(d.cause).toContain("segment 1");
  });
  it("divergence rolls back at once", () => {
    expect(
      asRecover(
        decide(ctx({ obs: { alarm: spike({ kind: "divergence" }), lastIteration: 501 }, checkpoints: ckpts }))
      ).class
    ).toBe("spike");
  });
  it("change_seed gives a new seed and records the trade-off", () => {
    const d = asRecover(
      decide(
        ctx({
          obs: { alarm: spike({ kind: "nan" }) },
          checkpoints: ckpts,
          resilience: { spike: { change_seed: true } }
        })
      )
    );
    expect(d.next.seed).toBe(1235);
    expect(d.tradeoffs[0]).toMatch(/reproducib/);
  });
  it("no checkpoint old enough → needs_attention", () => {
    expect(decide(ctx({ obs: { alarm: spike({ kind: "nan" }) }, checkpoints: [450, 500] })).kind).toBe(
      "attention"
    );
  });
  it("rollbacks per window capped → needs_attention", () => {
    const rollbacks = [1, 2, 3].map((i) => ({
      attempt: i,
      onsetStep: 480,
      toStep: 300,
      lrFrom: LR,
      lrTo: LR / 3
    }));
    expect(decide(ctx({ obs: { alarm: spike({ kind: "nan" }) }, checkpoints: ckpts, rollbacks })).kind).toBe(
      "attention"
    );
  });
  it("rollbacks outside the window do not count toward the cap", () => {
    const rollbacks = [1, 2, 3].map((i) => ({
      attempt: i,
      onsetStep: 10,
      toStep: 0,
      lrFrom: LR,
      lrTo: LR / 3
    }));
    expect(
      decide(
        ctx({
          obs: { alarm: spike({ kind: "nan" }) },
          checkpoints: ckpts,
          rollbacks,
          resilience: { spike: { rollback_window_steps: 100 } }
        })
      ).kind
    ).toBe("recover");
  });
  it("a job that completed with an unrecovered spike still inside its window is rolled back, not accepted", () => {
    const d = asRecover(
      decide(
        ctx({
          job: { state: "COMPLETED" },
          obs: { alarm: spike({ onsetStep: 980, step: 981 }), lastIteration: 1000 },
          checkpoints: [400, 800, 1000]
        })
      )
    );
    expect(d.class).toBe("spike");
    expect(d.rollback).toMatchObject({ onsetStep: 980, toStep: 800 });
    expect(d.cause).toContain("not recovered when the job ended");
  });
  it("a job that completed after its spike recovered completes the run", () => {
    const c = ctx({
      job: { state: "COMPLETED" },
      obs: { alarm: spike({ onsetStep: 900, recovered: true, recoveredAt: 930 }), lastIteration: 1000 }
    });
    expect(decide(c).kind).toBe("complete");
  });
  it("a job that completed with a NaN in its log is rolled back", () => {
    expect(
      asRecover(
        decide(
          ctx({
            job: { state: "COMPLETED" },
            obs: { alarm: spike({ kind: "nan", onsetStep: 990 }), lastIteration: 1000 },
            checkpoints: [800]
          })
        )
      ).class
    ).toBe("spike");
  });
  it("NODE_FAIL without a named node blames only the job's nodes that are DOWN", () => {
    const d = asRecover(
      decide(
        ctx({
          job: { state: "NODE_FAIL", nodes: ["nid001", "nid002"] },
          downNodes: ["nid002", "nid007"],
          checkpoints: [100]
        })
      )
    );
    expect(d.blame).toEqual(["nid002"]);
  });
  it("spike budget spent → needs_attention", () => {
    expect(
      decide(ctx({ obs: { alarm: spike({ kind: "nan" }) }, checkpoints: ckpts, budgetsUsed: { spike: 5 } }))
        .kind
    ).toBe("attention");
  });
  it("spike policy disabled → only recorded", () => {
    expect(
      decide(
        ctx({
          obs: { alarm: spike({ kind: "nan" }) },
          checkpoints: ckpts,
          resilience: { spike: { enabled: false } }
        })
      )
    ).toMatchObject({ kind: "note", note: "spike_watch" });
  });
  it("a spike still inside its window does not hide a hang", () => {
    expect(asRecover(decide(ctx({ obs: { alarm: spike(), lastIteration: 506, hang: true } }))).class).toBe(
      "hang"
    );
  });
});

describe("decide: a spike at the LR floor (spike.min_lr, spike.at_min_lr)", () => {
  const ckpts = [100, 200, 300, 400, 500];
  const nan = { alarm: spike({ kind: "nan" }) };
  it("an LR × factor below min_lr lowers the LR to min_lr exactly, same seed", () => {
    // 3e-4 × 1/3 = 1e-4 would pass the floor of 2e-4
    const d = asRecover(
      decide(ctx({ obs: nan, checkpoints: ckpts, resilience: { spike: { min_lr: 2e-4 } } }))
    );
    expect(d.next.lr).toBe(2e-4);
    expect(d.rollback).toEqual({ onsetStep: 500, toStep: 400, lrFrom: LR, lrTo: 2e-4 });
    expect(d.next.seed).toBe(1234);
    expect(d.tradeoffs).toEqual([]);
    expect(d.cause).toMatch(
      /with LR 2\.000e-4, the spike policy's min_lr \(3\.000e-4 × 0\.333 = 1\.000e-4 is below it\)/
    );
  });
  it("at min_lr (the default at_min_lr) → roll back at the same LR with a new seed, the trade-off said", () => {
    const d = asRecover(
      decide(
        ctx({
          obs: nan,
          checkpoints: ckpts,
          params: { lr: 2e-4 },
          resilience: { spike: { min_lr: 2e-4 } }
        })
      )
    );
    expect(d).toMatchObject({ class: "spike", cancel: true });
    expect(d.next.load).toEqual({ kind: "resume", iteration: 400 });
    expect(d.next.lr).toBe(2e-4);
    expect(d.next.seed).toBe(1235);
    expect(d.rollback).toEqual({ onsetStep: 500, toStep: 400, lrFrom: 2e-4, lrTo: 2e-4 });
    expect(d.tradeoffs).toHaveLength(1);
    expect(d.tradeoffs[0]).toMatch(/seed 1234 → 1235.*reproducib/);
    expect(d.cause).toMatch(
      /same LR 2\.000e-4 \(already at the spike policy's min_lr 0\.0002\).*seed 1234 → 1235/
    );
    expect(d.cause).toMatch(/no longer bitwise reproducible/);
  });
  it("an LR set below min_lr by hand is neither lowered nor raised: same LR, new seed", () => {
    const d = asRecover(
      decide(
        ctx({
          obs: nan,
          checkpoints: ckpts,
          params: { lr: 1e-4, seed: 7 },
          resilience: { spike: { min_lr: 2e-4 } }
        })
      )
    );
    expect(d.next.lr).toBe(1e-4);
    expect(d.next.seed).toBe(8);
  });
  it("change_seed and the floor together move the seed once", () => {
    const d = asRecover(
      decide(
        ctx({
          obs: nan,
          checkpoints: ckpts,
          params: { lr: 2e-4 },
          resilience: { spike: { min_lr: 2e-4, change_seed: true } }
        })
      )
    );
    expect(d.next.seed).toBe(1235);
    expect(d.tradeoffs).toHaveLength(1);
  });
  it("at min_lr with at_min_lr: attention → needs_attention, a cause the dashboard files as spike_lr_floor", () => {
    const d = decide(
      ctx({
        obs: nan,
        checkpoints: ckpts,
        params: { lr: 2e-4 },
        resilience: { spike: { min_lr: 2e-4, at_min_lr: "attention" } }
      })
    );
    expect(d).toMatchObject({ kind: "attention", cancel: true });
    expect(d.kind === "attention" && d.cause).toMatch(
      /would go below min_lr 0\.0002, and spike\.at_min_lr is attention/
    );
  });
  it("at_min_lr: attention still lowers to min_lr first", () => {
    const d = asRecover(
      decide(
        ctx({
          obs: nan,
          checkpoints: ckpts,
          resilience: { spike: { min_lr: 2e-4, at_min_lr: "attention" } }
        })
      )
    );
    expect(d.next.lr).toBe(2e-4);
  });
  it("the spike budget and the rollbacks-per-window cap still stop a run at the floor", () => {
    const atFloor = { params: { lr: 2e-4 }, obs: nan, checkpoints: ckpts };
    const floor = { min_lr: 2e-4 };
    const spent = decide(ctx({ ...atFloor, budgetsUsed: { spike: 5 }, resilience: { spike: floor } }));
    expect(spent.kind === "attention" && spent.cause).toMatch(/spike budget spent \(5\/5\)/);
    const rollbacks = [1, 2, 3].map((i) => ({
      attempt: i,
      onsetStep: 480,
      toStep: 300,
      lrFrom: 2e-4,
      lrTo: 2e-4
    }));
    const capped = decide(ctx({ ...atFloor, rollbacks, resilience: { spike: floor } }));
    expect(capped.kind === "attention" && capped.cause).toMatch(/already 3 rollbacks within 5000 steps/);
  });
  it("EMMA's ladder: 1e-4 → 5e-5 → 2.5e-5 → 2e-5 (min_lr) → new seed, new seed, then a human once the spike budget is spent", () => {
    // each decision feeds the next as the worker carries it out; onsets 10,000 steps apart, so only the budget binds
    let params: AttemptParams = { load: { kind: "init" }, lr: 1e-4, seed: 1234, excludeNodes: [] };
    const rollbacks: RollbackRecord[] = [];
    const steps: string[] = [];
    for (let i = 0; i < 6; i++) {
      const onset = 10_000 * (i + 1);
      const d = decide(
        ctx({
          params,
          obs: { alarm: spike({ kind: "nan", onsetStep: onset, step: onset }) },
          checkpoints: [onset - 500],
          budgetsUsed: { spike: rollbacks.length },
          rollbacks,
          resilience: { spike: { lr_factor: 0.5, min_lr: 2e-5 } }
        })
      );
      if (d.kind !== "recover") {
        steps.push(d.kind);
        break;
      }
      rollbacks.push({ attempt: i + 1, ...d.rollback! });
      params = d.next;
      steps.push(`${d.next.lr.toExponential(2)}/${d.next.seed}`);
    }
    expect(steps).toEqual([
      "5.00e-5/1234",
      "2.50e-5/1234",
      "2.00e-5/1234",
      "2.00e-5/1235",
      "2.00e-5/1236",
      "attention"
    ]);
  });
});

describe("decide: endings", () => {
  it("COMPLETED at train_iters → completed", () => {
    expect(decide(ctx({ job: { state: "COMPLETED", exitCode: 0 }, obs: { lastIteration: 1000 } })).kind).toBe(
      "complete"
    );
  });
  it("COMPLETED at an exit_interval before train_iters → a new attempt, no budget spent", () => {
    const d = asRecover(
      decide(
        ctx({
          job: { state: "COMPLETED" },
          obs: { lastIteration: 600, exitedAt: 600 },
          checkpoints: [600],
          budgetsUsed: { timeout: 100, app: 5 }
        })
      )
    );
    expect(d.class).toBe("planned");
    expect(d.next.load).toEqual({ kind: "resume", iteration: 600 });
  });
  it("a resume from the final checkpoint that exits 0 without training has completed the run", () => {
    const c = ctx({
      job: { state: "COMPLETED", exitCode: 0 },
      attemptParams: { load: { kind: "resume", iteration: 1000 } },
      checkpoints: [1000],
      expectsCheckpoint: true
    });
    expect(decide(c).kind).toBe("complete");
  });
  it("a resume that loaded the final checkpoint (log line) and exits 0 has completed the run", () => {
    const c = ctx({
      job: { state: "COMPLETED", exitCode: 0 },
      attemptParams: { load: { kind: "resume" } },
      obs: { resumedFrom: 1000 },
      checkpoints: [1000],
      expectsCheckpoint: true
    });
    expect(decide(c).kind).toBe("complete");
  });
  it("a resume from an earlier checkpoint that exits 0 without training is still an application error", () => {
    const c = ctx({
      job: { state: "COMPLETED", exitCode: 0 },
      attemptParams: { load: { kind: "resume", iteration: 900 } },
      obs: { resumedFrom: 900 },
      checkpoints: [900],
      expectsCheckpoint: true
    });
    expect(asRecover(decide(c)).class).toBe("app");
  });
  it("COMPLETED with no training at all is an application error", () => {
    expect(asRecover(decide(ctx({ job: { state: "COMPLETED" } }))).class).toBe("app");
  });
  it("job gone from Slurm after the final iteration → completed", () => {
    expect(decide(ctx({ job: null, obs: { lastIteration: 1000 } })).kind).toBe("complete");
  });
  it("job gone from Slurm mid-run → needs_attention, never failed", () => {
    expect(decide(ctx({ job: null, obs: { lastIteration: 10 } })).kind).toBe("attention");
  });
});

describe("decide: bad-node expiry", () => {
  it("a blame that expired drops out of the next attempt's exclusions; live ones and new blames stay", () => {
    const c = ctx({
      job: { state: "NODE_FAIL", failedNodes: ["nid003"] },
      params: { excludeNodes: ["nid001", "nid002"] }
    });
    const d = asRecover(decide({ ...c, badNodes: ["nid002"] }));
    expect(d.next.excludeNodes).toEqual(["nid002", "nid003"]);
  });
  it("a spike rollback also takes the live bad-node list", () => {
    const c = ctx({
      obs: { alarm: spike({ kind: "nan" }) },
      checkpoints: [100, 400],
      params: { excludeNodes: ["nid001"] }
    });
    expect(asRecover(decide({ ...c, badNodes: [] })).next.excludeNodes).toEqual([]);
  });
});

describe("decide: storage refusing a checkpoint save", () => {
  const ERR_LINE =
    "[2026-11-29 21:05:38,203] [ERROR] [engine.py:3366:_create_checkpoint_file] Failed saving model checkpoint to /ck with tag global_step400";
  const RAISED = "RuntimeError: Parent directory /ck/global_step400 does not exist.";
  const storage = (o: Partial<StorageFailure> = {}): StorageFailure => ({
    fault: "unwritable",
    path: "/ck/global_step400",
    step: 400,
    lines: [ERR_LINE, RAISED],
    ...o
  });

  it("a FAILED job whose save was refused → needs_attention at once, with the lines, not an app retry", () => {
    const d = decide(
      ctx({
        job: { state: "FAILED", exitCode: 1 },
        obs: { lastIteration: 400, storageError: storage() },
        checkpoints: [100, 200, 300]
      })
    );
    if (d.kind !== "attention") throw new Error(`expected attention, got ${d.kind}`);
    expect(d.cancel).toBe(false);
    expect(d.cause).toMatch(/checkpoint 400 could not be saved/);
    expect(d.cause).toMatch(/not retrying/);
    expect(d.cause).toMatch(/resume \(from checkpoint 300\)/);
    expect(d.evidence.logLines?.slice(0, 2)).toEqual([ERR_LINE, RAISED]);
    expect(d.evidence).toMatchObject({
      checkpoint: 300,
      jobId: "42",
      slurmState: "FAILED",
      detail: { storage: { fault: "unwritable", path: "/ck/global_step400", step: 400 } }
    });
  });

  it("it does not wait for the crash-loop limit, and spends no budget (first failure at this step)", () => {
    const d = decide(
      ctx({
        job: { state: "FAILED", exitCode: 1 },
        obs: { lastIteration: 400, storageError: storage({ fault: "permission" }) },
        checkpoints: [300],
        crashLoop: null
      })
    );
    expect(d.kind).toBe("attention");
    expect(d.kind === "attention" && d.cause).toMatch(/permission denied \(\/ck\/global_step400\)/);
  });

  it("while RUNNING, a refused checkpoint save → cancel and needs_attention (other ranks would wait in a collective)", () => {
    const d = decide(
      ctx({ obs: { lastIteration: 400, storageError: storage({ fault: "read_only" }) }, checkpoints: [300] })
    );
    expect(d).toMatchObject({ kind: "attention", cancel: true });
    expect(d.kind === "attention" && d.cause).toMatch(/read-only file system/);
  });

  it("while RUNNING, a storage error outside a checkpoint (e.g. a logging thread) does not stop training", () => {
    const d = decide(
      ctx({
        obs: {
          lastIteration: 400,
          storageError: storage({
            fault: "no_space",
            path: null,
            step: null,
            lines: ["OSError: [Errno 28] No space left on device"]
          })
        }
      })
    );
    expect(d.kind).toBe("wait");
  });

  it("a job that exits 0 at train_iters after a refused checkpoint save is not a finished run", () => {
    const d = decide(
      ctx({
        job: { state: "COMPLETED", exitCode: 0 },
        obs: { lastIteration: 1000, storageError: storage({ step: 1000, path: "/ck/global_step1000" }) },
        checkpoints: [900]
      })
    );
    expect(d).toMatchObject({ kind: "attention", cancel: false });
  });

  it("node errors still win: a FAILED job after RCCL errors is a node failure even with a storage line", () => {
    const d = asRecover(
      decide(ctx({ job: { state: "FAILED" }, obs: { errorNodes: ["nid003"], storageError: storage() } }))
    );
    expect(d.class).toBe("node");
  });

  it("without a storage error the same failure is an app retry (the path the fault took before)", () => {
    const d = asRecover(
      decide(ctx({ job: { state: "FAILED", exitCode: 1 }, obs: { lastIteration: 400 }, checkpoints: [300] }))
    );
    expect(d).toMatchObject({ class: "app", crashLoop: { step: 400, count: 1 } });
    expect(d.next.load).toEqual({ kind: "resume", iteration: 300 });
  });
});

describe("decide: failure classes from the job's output (issue 17)", () => {
  const oomLines = [
    "torch.OutOfMemoryError: HIP out of memory. Tried to allocate 3.31 GiB. GPU 0 has a total capacity of 64.00 GiB",
    "srun: error: nid002: task 12: Out Of Memory"
  ];
  const oom = { source: "gpu" as const, node: "nid002", lines: oomLines };

  it("an out-of-memory after the job failed stops in attention with the lines, no retry and no blame", () => {
    const d = decide(
      ctx({ job: { state: "FAILED", exitCode: 1 }, obs: { outOfMemory: oom }, checkpoints: [100] })
    );
    expect(d.kind).toBe("attention");
    if (d.kind !== "attention") return;
    expect(d.cancel).toBe(false);
    expect(d.cause).toMatch(/ran out of memory on nid002.*not retrying/);
    expect(d.evidence.logLines).toEqual(expect.arrayContaining(oomLines));
  });

  it("an out-of-memory names the model state the plan puts on each GCD, in the cause and the evidence", () => {
    const planMemory = { parametersPerDevice: 4_015_130_624, zeroStage: 1, modelStateBytes: 16_315_426_816 };
    const d = decide({
      ...ctx({ job: { state: "FAILED", exitCode: 1 }, obs: { outOfMemory: oom } }),
      planMemory
    });
    expect(d.kind).toBe("attention");
    if (d.kind !== "attention") return;
    expect(d.cause).toMatch(/the plan puts 15\.2 GiB of model state .* at ZeRO 1\) on each GCD/);
    expect(d.evidence.detail).toMatchObject({ planMemory });
    expect(d.evidence.logLines).toEqual(expect.arrayContaining(oomLines));
  });

  it("an out-of-memory seen while the job still runs cancels it and stops", () => {
    const d = decide(ctx({ obs: { outOfMemory: oom, lastIteration: 50 } }));
    expect(d).toMatchObject({ kind: "attention", cancel: true });
  });

  it("Slurm's OUT_OF_MEMORY state alone is an out-of-memory too (not an application retry)", () => {
    expect(decide(ctx({ job: { state: "OUT_OF_MEMORY" } }))).toMatchObject({
      kind: "attention",
      cancel: false
    });
  });

  it("an out-of-memory wins over node errors in the same log (the HIP lines it causes blame no node)", () => {
    const d = decide(ctx({ job: { state: "FAILED" }, obs: { outOfMemory: oom, errorNodes: ["nid002"] } }));
    expect(d.kind).toBe("attention");
  });

  const timeout = {
    rank: 12,
    op: "ALLREDUCE",
    seq: 808,
    ms: 600020,
    lines: [
      "[rank12]:[E626 06:24:44.903 ProcessGroupNCCL.cpp:616] [Rank 12] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=808, OpType=ALLREDUCE, Timeout(ms)=600000) ran for 600020 milliseconds before timing out."
    ]
  };

  it("a collective watchdog timeout is a hang (hang budget) naming its rank, with the line", () => {
    const d = asRecover(
      decide(ctx({ job: { state: "FAILED", exitCode: 1 }, obs: { collectiveTimeout: timeout } }))
    );
    expect(d.class).toBe("hang");
    expect(d.blame).toEqual([]);
    expect(d.cause).toMatch(/rank 12 timed out in ALLREDUCE #808 after 600020 ms/);
    expect(d.evidence.detail).toMatchObject({ collectiveTimeout: { rank: 12, op: "ALLREDUCE", seq: 808 } });
    expect(d.evidence.logLines).toEqual(expect.arrayContaining(timeout.lines));
  });

  it("a watchdog timeout while running cancels and resumes as a hang", () => {
    const d = asRecover(decide(ctx({ obs: { collectiveTimeout: timeout, lastIteration: 40 } })));
    expect(d).toMatchObject({ class: "hang", cancel: true });
  });

  it("a watchdog timeout with the hang budget spent stops in attention", () => {
    const d = decide(
      ctx({ job: { state: "FAILED" }, obs: { collectiveTimeout: timeout }, budgetsUsed: { hang: 99 } })
    );
    expect(d.kind).toBe("attention");
  });

  it("a node named by an RCCL/HIP/Slurm line wins over the watchdog timeout it causes", () => {
    const d = asRecover(
      decide(ctx({ job: { state: "FAILED" }, obs: { collectiveTimeout: timeout, errorNodes: ["nid003"] } }))
    );
    expect(d).toMatchObject({ class: "node", blame: ["nid003"] });
  });

  it("an unknown failure keeps the application retry budget and names the exception and frame", () => {
    const d = asRecover(
      decide(
        ctx({
          job: { state: "FAILED", exitCode: 1 },
          obs: {
            exception: {
              type: "RuntimeError",
              message: "boom",
              frame: "/gpt-neox/megatron/training.py:1017 in train_step",
              lines: []
            }
          }
        })
      )
    );
    expect(d.class).toBe("app");
    expect(d.cause).toMatch(
      /RuntimeError in \/gpt-neox\/megatron\/training\.py:1017 in train_step.*retry 1\//
    );
  });
});
