import { describe, expect, it } from "vitest";
import { encodeMmIndex } from "@neoxctl/core";
import { planRun } from "../plan-run.ts";
import { emmaInput, localInput } from "../fixtures.test-support.ts";
import { dataTruth } from "./data-warnings.ts";
import { scanManifest } from "./data-scan.ts";

describe("dataTruth", () => {
  it("warns about datasets repeated past the threshold, which the spec can change", () => {
    const plan = planRun(
      localInput((y) =>
        y
          .replace("strategy: tier_factors", "strategy: temperature\n    tau: 100")
          .replace(/\n    factors: .*/, "")
          .replace("tokens: 3000000, tier: low", "tokens: 30000, tier: low")
      )
    );
    const truth = dataTruth(plan, plan.spec.data.inline!);
    expect(truth.counts).toBe("declared");
    expect(truth.warnings.map((w) => w.kind)).toEqual(["repetition"]);
    expect(truth.warnings[0]!.message).toMatch(
      /^1 of 5 datasets are repeated more than 16 epochs \(sme_Latn /
    );
    const lenient = planRun(
      localInput((y) =>
        y
          .replace("tokens: 3000000,", "tokens: 30000,")
          .replace("  valid:", "  repetition_warning_epochs: 100\n  valid:")
      )
    );
    expect(dataTruth(lenient, lenient.spec.data.inline!).warnings).toEqual([]);
  });

  it("warns when evaluation reads the validation set more than once", () => {
    const plan = planRun(localInput((y) => y.replace("  valid:", "  valid_tokens: 100000\n  valid:")));
    const w = dataTruth(plan, plan.spec.data.inline!).warnings;
    // 4 evaluations × 2 iterations × 32 sequences × 2048 tokens = 524,288
    expect(w.map((x) => x.message)).toEqual([
      expect.stringMatching(/^evaluation reads 524,288 validation tokens .* ~5 times/)
    ]);
  });

  it("names datasets with zero tokens and says measured counts are measured", () => {
    const plan = planRun(emmaInput());
    const m = emmaInput().manifest;
    const zero = {
      ...m,
      counts: "measured" as const,
      datasets: [{ ...m.datasets[0]!, tokens: 0 }, ...m.datasets.slice(1)]
    };
    const truth = dataTruth(plan, zero);
    expect(truth.counts).toBe("measured");
    expect(truth.warnings.find((x) => x.kind === "zero_tokens")?.message).toMatch(
      /^1 dataset\(s\) have no tokens/
    );
  });
});

describe("scanManifest", () => {
  it("measures tokens and documents from the .idx and checks the .bin size", () => {
    const idx = encodeMmIndex([3, 4], [0, 1, 2], 4);
    const files = new Map<string, Buffer>([["/d/a_text_document.idx", idx]]);
    const sizes = new Map([
      ["/d/a_text_document.bin", 28],
      ["/d/b_text_document.bin", 3]
    ]);
    const result = scanManifest(
      {
        data_root: "/d",
        datasets: [
          { path: "a_text_document", language: "eng_Latn", tokens: 99, tier: "high" },
          { path: "b_text_document", language: "fin_Latn", tokens: 5, tier: "high" }
        ]
      },
      { read: (p) => files.get(p), size: (p) => sizes.get(p) }
    );
    expect(result.map((r) => r.result)).toEqual([
      { tokens: 7, documents: 2, binBytes: 28 },
      { problem: "/d/b_text_document.idx does not exist" }
    ]);
  });
});
