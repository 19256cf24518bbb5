import { describe, expect, it } from "vitest";
import { ResilienceSchema } from "@neoxctl/core";
import { decide } from "./decide.ts";
import type { DecisionContext } from "./context.ts";
import type { InJobRestart, JobView, Observations } from "../ports.ts";
import { emptyObservations } from "../ports.ts";
import { noBudgetUsed } from "../model.ts";

function ctx(o: {
  spares: number;
  max?: number;
  job?: Partial<JobView>;
  downNodes?: string[];
  obs?: Partial<Observations>;
}): DecisionContext {
  const params = { load: { kind: "init" as const }, lr: 1e-4, seed: 1, excludeNodes: [] };
  return {
    run: {
      params,
      trainIters: 1000,
      resilience: ResilienceSchema.parse({ spare_nodes: o.spares, max_in_job_restarts: o.max ?? 2 }),
      budgetsUsed: noBudgetUsed(),
      rollbacks: [],
      crashLoop: null
    },
    attempt: { index: 1, params, restartsSeen: 0 },
    job: { jobId: "48", state: "RUNNING", nodes: ["nid001", "nid003"], restarts: 0, ...o.job },
    downNodes: o.downNodes ?? [],
    obs: { ...emptyObservations(), lastIteration: 122, ...o.obs },
    checkpoints: [110, 120],
    expectsCheckpoint: false
  };
}

const restart = (n: number, lost: string[], nodes: string[]): InJobRestart => ({
  restart: n,
  max: 2,
  nodes,
  lost,
  from: "checkpoint 120",
  line: `neoxctl-restart: in-job restart ${n}/2 on ${nodes.join(",")} without ${lost.join(",")} from checkpoint 120`
});

describe("decide with spare nodes", () => {
  it("leaves a running job alone while its script replaces a DOWN node with a spare", () => {
    const d = decide(
      ctx({ spares: 1, downNodes: ["nid002"], job: { nodes: ["nid001", "nid002", "nid003"] } })
    );
    expect(d.kind, "cause" in d ? d.cause : "").toBe("wait");
    expect("cause" in d && d.cause).toContain(
      "restarts it on a spare (in-job restart 1/2, 0 spares left after it)"
    );
  });

  it("still watches a job whose covered node keeps its step running (draining): a hang is a hang", () => {
    const d = decide(
      ctx({
        spares: 1,
        downNodes: ["nid002"],
        job: { nodes: ["nid001", "nid002", "nid003"] },
        obs: { hang: true }
      })
    );
    expect(d.kind).toBe("recover");
    expect(d.kind === "recover" && d.class).toBe("hang");
  });

  it("still acts on an RCCL error naming a node the spares do not cover", () => {
    const d = decide(
      ctx({
        spares: 1,
        downNodes: ["nid002"],
        job: { nodes: ["nid001", "nid002", "nid003"] },
        obs: { errorNodes: ["nid003"] }
      })
    );
    expect(d.kind === "recover" && d.blame).toEqual(["nid003"]);
  });

  it("also when only srun named the node (Slurm already took it out of the job)", () => {
    const d = decide(
      ctx({
        spares: 1,
        obs: {
          errorNodes: ["nid002"],
          slurmLostNodes: ["nid002"],
          errorLines: ["srun: error: Node failure on nid002"]
        }
      })
    );
    expect(d.kind).toBe("wait");
  });

  it("without spares cancels and resubmits without the node, as before", () => {
    const d = decide(ctx({ spares: 0, downNodes: ["nid002"], job: { nodes: ["nid001", "nid002"] } }));
    expect(d).toMatchObject({ kind: "recover", class: "node", cancel: true, blame: ["nid002"] });
  });

  it("records the restart the log shows, with its evidence, and blames the lost node", () => {
    const r = restart(1, ["nid002"], ["nid001", "nid003"]);
    const d = decide(
      ctx({ spares: 1, downNodes: ["nid002"], obs: { inJobRestarts: [r], unnotedRestart: r } })
    );
    expect(d).toMatchObject({
      kind: "note",
      note: "in_job_restart",
      blame: ["nid002"],
      evidence: {
        jobId: "48",
        nodes: ["nid002"],
        logLines: [r.line],
        detail: { restart: 1, max: 2, newNodes: ["nid001", "nid003"], from: "checkpoint 120" }
      }
    });
  });

  it("once recorded, a replaced node still listed DOWN is no reason to stop the job", () => {
    const r = restart(1, ["nid002"], ["nid001", "nid003"]);
    const d = decide(ctx({ spares: 1, downNodes: ["nid002"], obs: { inJobRestarts: [r] } }));
    expect(d.kind, "cause" in d ? d.cause : "").toBe("wait");
    expect("cause" in d && d.cause).toContain("running at iteration 122");
  });

  it("with the spares used up, a second node failure is handled as without spares", () => {
    const r = restart(1, ["nid002"], ["nid001", "nid003"]);
    const d = decide(ctx({ spares: 1, downNodes: ["nid003"], obs: { inJobRestarts: [r] } }));
    expect(d).toMatchObject({ kind: "recover", class: "node", cancel: true, blame: ["nid003"] });
  });

  it("with the restart cap reached, too, even with spares left", () => {
    const rs = [restart(1, ["nid002"], ["nid001", "nid003"]), restart(2, ["nid003"], ["nid001", "nid004"])];
    const d = decide(ctx({ spares: 3, downNodes: ["nid004"], obs: { inJobRestarts: rs } }));
    expect(d).toMatchObject({ kind: "recover", class: "node", cancel: true, blame: ["nid004"] });
  });

  it("the job that ended after its script ran out of spares is resubmitted without the node", () => {
    const d = decide(
      ctx({
        spares: 1,
        job: { state: "FAILED", exitCode: 137 },
        obs: {
          errorNodes: ["nid003"],
          slurmLostNodes: ["nid003"],
          inJobRestarts: [restart(1, ["nid002"], ["nid001", "nid003"])]
        }
      })
    );
    expect(d).toMatchObject({ kind: "recover", class: "node", cancel: false, blame: ["nid003"] });
  });
});
