import { describe, expect, it } from "vitest";
import { ResilienceSchema } from "@neoxctl/core";
import { ChunkParser } from "@neoxctl/monitor";
import { AttemptObserver } from "../observe/attempt-observer.ts";
import { noBudgetUsed } from "../model.ts";
import type { AttemptParams } from "../model.ts";
import { decide } from "./decide.ts";
import type { DecisionContext } from "./context.ts";

const R = ResilienceSchema.parse({});
const FAIL = "neoxctl-preflight: FAIL checkpoint: /ck/global_step400/configs";

/** The batch script's log read as the worker reads it, then the decision on a FAILED job. */
function decideOnLog(log: string, exitCode: number): ReturnType<typeof decide> {
  const o = new AttemptObserver(R, 2);
  o.apply(new ChunkParser().pushLocated(Buffer.from(log)), 0);
  const params: AttemptParams = { load: { kind: "resume" }, lr: 3e-4, seed: 1, excludeNodes: [] };
  const ctx: DecisionContext = {
    run: {
      params,
      trainIters: 1000,
      resilience: R,
      budgetsUsed: noBudgetUsed(),
      rollbacks: [],
      crashLoop: null
    },
    attempt: { index: 2, params, restartsSeen: 0 },
    job: { jobId: "42", state: "FAILED", exitCode, nodes: ["nid001"], restarts: 0 },
    downNodes: [],
    obs: o.obs,
    checkpoints: [300, 400],
    expectsCheckpoint: true
  };
  return decide(ctx);
}

describe("decide: the batch script's pre-flight check failed", () => {
  // Regression: a job that stopped before starting any rank was retried as an application error
  it("asks a person, with the script's line as evidence, instead of retrying", () => {
    const d = decideOnLog(`+ hostfile written\n${FAIL}\n`, 78);
    if (d.kind !== "attention") throw new Error(`expected attention, got ${d.kind}`);
    expect(d.cancel).toBe(false);
    expect(d.cause).toContain(
      "pre-flight check failed, checkpoint missing or incomplete: /ck/global_step400/configs"
    );
    expect(d.cause).toContain("(exit 78)");
    expect(d.evidence.logLines).toEqual([FAIL]);
  });

  it("a FAILED job without the line is still an application error to retry", () => {
    expect(decideOnLog("Traceback (most recent call last):\nRuntimeError: boom\n", 1).kind).toBe("recover");
  });
});
