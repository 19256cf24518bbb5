import { describe, expect, it } from "vitest";
import { judgeCanary, renderCanaryReport } from "./judge.ts";
import type { CanaryObservation, JudgeInput } from "./judge.ts";

const SAVE = "/scratch/p/ckpt-canary/r-smoke/checkpoints";

function observed(edit: Partial<CanaryObservation> = {}): CanaryObservation {
  return {
    job: { id: "42", state: "COMPLETED", exitCode: 0, nodes: ["nid001", "nid002"], reason: null },
    preflightFailure: null,
    phase1Steps: [
      { step: 1, ms: 9000 },
      { step: 2, ms: 3000 },
      { step: 3, ms: 3200 }
    ],
    savedTag: "global_step3",
    phase2Started: true,
    phase2LoadedPath: `${SAVE}/global_step3/mp_rank_00_model_states.pt`,
    phase2Steps: [4],
    rccl: { transport: null, networks: [], provider: null, socketNodes: [], evidence: [] },
    errors: [],
    ...edit
  };
}

function judge(
  o: CanaryObservation,
  expected: JudgeInput["expectedStepS"] = { fast: 2.5, slow: 3.8 },
  network: JudgeInput["network"] = { expected_transport: "any", log_selection: "first_attempt" }
) {
  return judgeCanary({
    runId: "r-smoke",
    steps: 3,
    saveDir: SAVE,
    expectedStepS: expected,
    network,
    observed: o
  });
}

const SOCKET_LINE = "nid001:123:456 [0] NCCL INFO Using network Socket";
const SOCKETS = {
  transport: "socket",
  networks: ["Socket"],
  provider: null,
  socketNodes: ["nid001", "nid002"],
  evidence: [SOCKET_LINE]
};

describe("judgeCanary", () => {
  it("is go when everything checked passed, and says RCCL was not checked", () => {
    const r = judge(observed());
    expect(r.verdict).toBe("go");
    expect(r.checks.rccl.status).toBe("not_checked");
    // the warm-up step is left out of the median
    expect(r.stepTime.measured).toBeCloseTo(3.1, 6);
    expect(renderCanaryReport(r)).toMatch(/^canary r-smoke \(job 42\): GO \(not checked: rccl\)/);
  });

  it("is no-go with the pre-flight's line when an input is missing", () => {
    const line = "neoxctl-preflight: FAIL checkpoint: /init/latest";
    const r = judge(
      observed({ preflightFailure: line, phase1Steps: [], savedTag: null, phase2Started: false })
    );
    expect(r.verdict).toBe("no-go");
    expect(r.checks.started.detail).toContain(line);
    expect(r.reasons[0]).toContain(line);
  });

  it("is no-go when the load phase loaded nothing or another checkpoint", () => {
    expect(judge(observed({ phase2LoadedPath: null })).checks.checkpoint.status).toBe("fail");
    expect(
      judge(observed({ phase2LoadedPath: "/init/global_step0/mp_rank_00_model_states.pt" })).checks.checkpoint
        .status
    ).toBe("fail");
    expect(judge(observed({ phase2Steps: [] })).checks.checkpoint.status).toBe("fail");
    expect(judge(observed({ savedTag: null })).checks.checkpoint.detail).toContain("did not report saving");
  });

  it("is no-go far outside the step-time band, with the figures", () => {
    const slow = judge(
      observed({
        phase1Steps: [
          { step: 1, ms: 9000 },
          { step: 2, ms: 30000 },
          { step: 3, ms: 30000 }
        ]
      })
    );
    expect(slow.verdict).toBe("no-go");
    expect(slow.checks.stepTime.detail).toBe(
      "too slow: 30.00 s per step against the plan's 2.50–3.80 s (more than 1.5× the slow end)"
    );
    const fast = judge(
      observed({
        phase1Steps: [
          { step: 1, ms: 10 },
          { step: 2, ms: 10 }
        ]
      })
    );
    expect(fast.checks.stepTime.status).toBe("fail");
    // inside the slack it is still on plan
    const near = judge(
      observed({
        phase1Steps: [
          { step: 1, ms: 1 },
          { step: 2, ms: 5000 }
        ]
      })
    );
    expect(near.checks.stepTime.status).toBe("pass");
  });

  it("does not compare step time without estimates", () => {
    const r = judge(observed(), null);
    expect(r.checks.stepTime.status).toBe("not_checked");
    expect(r.verdict).toBe("go");
  });

  it("judges RCCL's transport against the profile: sockets where the plugin is expected is no-go", () => {
    const ofi = {
      expected_transport: "ofi",
      expected_provider: "cxi",
      log_selection: "first_attempt"
    } as const;
    const r = judge(observed({ rccl: SOCKETS }), undefined, ofi);
    expect(r.checks.rccl).toEqual({
      status: "fail",
      detail: `RCCL uses Socket on nid001,nid002, the profile expects ofi; ${SOCKET_LINE}`
    });
    expect(r.verdict).toBe("no-go");
    const tcp = {
      ...SOCKETS,
      transport: "ofi",
      networks: ["AWS Libfabric"],
      provider: "tcp",
      socketNodes: []
    };
    expect(judge(observed({ rccl: tcp }), undefined, ofi).checks.rccl.detail).toBe(
      `RCCL uses AWS Libfabric (provider tcp), the profile expects provider cxi; ${SOCKET_LINE}`
    );
    const good = { ...tcp, provider: "cxi" };
    expect(judge(observed({ rccl: good }), undefined, ofi).checks.rccl).toEqual({
      status: "pass",
      detail: "RCCL uses AWS Libfabric (provider cxi), as the profile expects"
    });
    // no expectation: reported, not judged
    expect(judge(observed({ rccl: SOCKETS })).checks.rccl.status).toBe("pass");
  });

  it("is no-go when a rank died before the first step", () => {
    const r = judge(
      observed({
        job: { id: "7", state: "FAILED", exitCode: 1, nodes: ["nid001"], reason: null },
        phase1Steps: [],
        savedTag: null,
        phase2Started: false,
        errors: ["RuntimeError: NCCL communicator was aborted on rank 3."]
      })
    );
    expect(r.checks.started.detail).toBe(
      "no training step logged (job FAILED, exit 1); first error: RuntimeError: NCCL communicator was aborted on rank 3."
    );
  });
});
