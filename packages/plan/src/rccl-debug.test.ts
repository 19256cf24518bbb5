import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseClusterProfile } from "@neoxctl/core";
import { emmaInput, REPO } from "./fixtures.test-support.ts";
import { planRun } from "./plan-run.ts";
import { renderAttempt } from "./render-attempt.ts";
import { renderSummary } from "./summary.ts";
import type { Attempt, PlanInput } from "./types.ts";

const attempt = (index: number): Attempt => ({
  index,
  runId: "emma500-llama3-8b",
  load: index === 1 ? { kind: "init" } : { kind: "resume", iteration: 500 },
  excludeNodes: []
});

function sbatch(input: PlanInput, index: number): string {
  return renderAttempt(planRun(input), attempt(index)).files["job.sbatch"]!;
}

function withNetwork(input: PlanInput, network: Partial<PlanInput["profile"]["network"]>): PlanInput {
  return { ...input, profile: { ...input.profile, network: { ...input.profile.network, ...network } } };
}

describe("RCCL's network selection in the job's log", () => {
  it("attempt 1 runs RCCL at INFO for the INIT and NET subsystems; later attempts at WARN only", () => {
    const first = sbatch(emmaInput(), 1);
    expect(first).toContain("export NCCL_DEBUG=INFO\nexport NCCL_DEBUG_SUBSYS=INIT,NET\n");
    const later = sbatch(emmaInput(), 2);
    expect(later).toContain("export NCCL_DEBUG=WARN\n");
    expect(later).not.toContain("NCCL_DEBUG_SUBSYS");
  });

  it("every_attempt and never do what they say", () => {
    expect(sbatch(withNetwork(emmaInput(), { log_selection: "every_attempt" }), 3)).toContain(
      "export NCCL_DEBUG=INFO\n"
    );
    const never = sbatch(withNetwork(emmaInput(), { log_selection: "never" }), 1);
    expect(never).toContain("export NCCL_DEBUG=WARN\n");
    expect(never).not.toContain("NCCL_DEBUG=INFO");
  });

  it("a profile's own NCCL_DEBUG wins", () => {
    const input = emmaInput();
    const text = sbatch(
      { ...input, profile: { ...input.profile, env: { ...input.profile.env, NCCL_DEBUG: "TRACE" } } },
      1
    );
    expect(text).toContain("export NCCL_DEBUG=TRACE\n");
    expect(text).not.toContain("NCCL_DEBUG=INFO");
  });
});

describe("the summary's cluster and network lines", () => {
  const frontier = parseClusterProfile(
    readFileSync(join(REPO, "clusters/frontier.yaml"), "utf8"),
    "frontier.yaml"
  );

  // Regression: planning the LUMI example with --cluster frontier printed "on frontier (lumi)"
  it("names the profile used, and the spec's own only when it differs", () => {
    const spec = (y: string): string =>
      y.replace(/time: "?48:00:00"?/, 'time: "02:00:00"').replace(/^\s*time_min: .*\n/m, "");
    const onFrontier = renderSummary(planRun({ ...emmaInput(spec), profile: frontier }));
    expect(onFrontier.split("\n")[0]).toBe(
      "run emma500-llama3-8b: llama3-8b on frontier (the spec names lumi)"
    );
    expect(renderSummary(planRun(emmaInput())).split("\n")[0]).toBe(
      "run emma500-llama3-8b: llama3-8b on lumi"
    );
  });

  it("says what the transport check expects", () => {
    expect(
      renderSummary(
        planRun({
          ...emmaInput((y) =>
            y.replace(/time: "?48:00:00"?/, 'time: "02:00:00"').replace(/^\s*time_min: .*\n/m, "")
          ),
          profile: frontier
        })
      )
    ).toContain(
      "  network     expects RCCL on the OFI plugin (cxi), warns on a socket fallback; attempt 1 logs RCCL's network choice\n"
    );
    expect(renderSummary(planRun(withNetwork(emmaInput(), { expected_transport: "any" })))).toContain(
      "  network     no RCCL transport expected (no check)"
    );
  });
});
