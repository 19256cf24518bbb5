import { describe, expect, it } from "vitest";
import { expectedCheckpointFiles, pipelineLayerIndices, rankZeroFiles } from "./expected-files.ts";

describe("expectedCheckpointFiles", () => {
  it("lists the tp=1 pp=0 dp=1 fp32 set", () => {
    expect(expectedCheckpointFiles({ tp: 1, pp: 0, dp: 1, bf16: false, numLayers: 2 })).toEqual([
      "mp_rank_00_model_states.pt",
      "zero_pp_rank_0_mp_rank_00_optim_states.pt",
      "zero_to_fp32.py",
      "configs/"
    ]);
  });
  it("multiplies optimizer shards by dp × tp and prefixes bf16_", () => {
    const files = expectedCheckpointFiles({ tp: 2, pp: 0, dp: 4, bf16: true, numLayers: 2 });
    expect(files.filter((f) => f.startsWith("mp_rank_"))).toEqual([
      "mp_rank_00_model_states.pt",
      "mp_rank_01_model_states.pt"
    ]);
    const optim = files.filter((f) => f.includes("optim_states"));
    expect(optim).toHaveLength(8);
    expect(optim.every((f) => f.startsWith("bf16_zero_pp_rank_"))).toBe(true);
    expect(optim).toContain("bf16_zero_pp_rank_3_mp_rank_01_optim_states.pt");
  });
  it("adds per-layer files per tp rank with pipeline parallelism", () => {
    expect(pipelineLayerIndices(4)).toEqual([0, 2, 3, 4, 5, 7, 8]);
    const files = expectedCheckpointFiles({ tp: 2, pp: 1, dp: 1, bf16: false, numLayers: 4 });
    expect(files.filter((f) => f.startsWith("layer_"))).toHaveLength(14);
    expect(files).toContain("layer_08-model_01-model_states.pt");
    expect(files).not.toContain("layer_01-model_00-model_states.pt");
  });
  it("rank 0's files are a strict subset when there is more than one rank", () => {
    const t = { tp: 1, pp: 0, dp: 2, bf16: true, numLayers: 2 };
    const all = expectedCheckpointFiles(t);
    const r0 = rankZeroFiles(t);
    expect(r0.every((f) => all.includes(f))).toBe(true);
    expect(r0.length).toBeLessThan(all.length - 1);
  });
});
