import { describe, expect, it } from "vitest";
import { SpecError } from "@neoxctl/core";
import type { Dataset, DataSpec, Tier } from "@neoxctl/core";
import { planDataMix } from "./data-mix.ts";
import { samplingWeights } from "./mix-weights.ts";

const ds = (language: string, tokens: number, tier: Tier, pair?: string): Dataset => ({
  path: `${pair ? "bitext" : "mono"}/${language}`,
  language,
  tokens,
  tier,
  ...(pair ? { pair } : {})
});

describe("sampling weights", () => {
  const three = [ds("eng_Latn", 900, "high"), ds("fin_Latn", 90, "medium"), ds("sme_Latn", 10, "low")];

  it("multiplies tokens by the tier factor (EMMA-500 style)", () => {
    const w = samplingWeights(
      three,
      { strategy: "tier_factors", factors: { high: 1, medium: 2, low: 18 } },
      1000
    );
    // 900 : 180 : 180
    expect(w.map((x) => x * 1260)).toEqual([900, 180, 180].map((x) => expect.closeTo(x, 9)));
  });

  it("flattens with temperature", () => {
    const w = samplingWeights(three, { strategy: "temperature", tau: 2 }, 1000);
    const raw = [30, Math.sqrt(90), Math.sqrt(10)];
    const sum = raw.reduce((a, b) => a + b);
    w.forEach((x, i) => expect(x).toBeCloseTo(raw[i]! / sum, 12));
  });

  it("caps repeats with UniMax and gives the rest to larger datasets", () => {
    // budget 600: fair share 200 each, sme capped at 4 × 10 = 40, fin at 4 × 90 = 360 > fair 280 → 280
    const w = samplingWeights(three, { strategy: "unimax", max_epochs: 4 }, 600);
    expect(w.map((x) => x * 600)).toEqual([280, 280, 40].map((x) => expect.closeTo(x, 9)));
  });
});

describe("planDataMix", () => {
  const spec = (extra: Partial<DataSpec> = {}): DataSpec => ({
    sampling: { strategy: "tier_factors", factors: { high: 1, low: 10 } },
    valid: ["/d/valid"],
    ...extra
  });

  it("passes up to 254 datasets through and reports epochs and shares", () => {
    const mix = planDataMix(
      spec(),
      { data_root: "/d", datasets: [ds("eng_Latn", 1000, "high"), ds("sme_Latn", 100, "low")] },
      4000
    );
    expect(mix.grouping).toBe("none");
    expect(mix.entries.map((e) => e.path)).toEqual(["/d/mono/eng_Latn", "/d/mono/sme_Latn"]);
    expect(mix.byTier.map((r) => [r.key, r.share, r.epochs])).toEqual([
      ["high", 0.5, 2],
      ["low", 0.5, 20]
    ]);
    expect(mix.test).toEqual(["/d/valid"]);
  });

  it("groups more than 254 datasets by kind, tier and script, exactly for tier factors", () => {
    const many = [
      ...Array.from({ length: 200 }, (_, i) => ds("sme_Latn", 100 + i, "low")),
      ...Array.from({ length: 100 }, (_, i) => ds("amh_Ethi", 50 + i, "medium-low", "eng_Latn")),
      ds("eng_Latn", 100000, "high")
    ];
    const mix = planDataMix(spec(), { data_root: "/d", datasets: many }, 1e6);
    expect(mix.grouping).toBe("kind+tier+script");
    expect(mix.entries.map((e) => e.id)).toEqual([
      "bitext.medium-low.Ethi",
      "mono.high.Latn",
      "mono.low.Latn"
    ]);
    expect(mix.entries[2]!.path).toBe("/d/merged/mono.low.Latn_text_document");
    expect(mix.entries[2]!.members).toHaveLength(200);
    expect(Math.max(...mix.entries.map((e) => e.maxMemberDeviation))).toBeLessThan(1e-12);
    expect(mix.entries.reduce((a, e) => a + e.weight, 0)).toBeCloseTo(1, 12);
  });

  it("says how far merging moves members under temperature sampling", () => {
    const many = Array.from({ length: 300 }, (_, i) => ds("sme_Latn", 100 * (i + 1), "low"));
    const mix = planDataMix(
      spec({ sampling: { strategy: "temperature", tau: 3 } }),
      { data_root: "/d", datasets: many },
      1e6
    );
    expect(mix.entries).toHaveLength(1);
    expect(mix.entries[0]!.maxMemberDeviation).toBeGreaterThan(0.5);
  });

  it("needs somewhere to put merged groups", () => {
    const many = Array.from({ length: 300 }, () => ds("sme_Latn", 100, "low"));
    expect(() => planDataMix(spec(), { datasets: many }, 1e6)).toThrow(SpecError);
  });
});
