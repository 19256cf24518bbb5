import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDataManifest, TIERS } from "@neoxctl/core";

const REPO = resolve(import.meta.dirname, "../..");
const MANIFEST = join(REPO, "examples/data/emma500-manifest.yaml");

// The MaLA bitext table of the EMMA-500 Llama 3 paper (https://mala-lm.github.io/emma-500-gen2.html):
// language pairs and tokens per resource category.
const PAPER: Record<string, [number, number]> = {
  "very-high": [4, 8.5e10],
  high: [83, 2.1e11],
  "medium-high": [67, 4.7e10],
  medium: [281, 6.4e10],
  "medium-low": [508, 2.0e10],
  low: [655, 2.5e9],
  "very-low": [909, 1.8e8]
};

describe("the EMMA-500 example manifest", () => {
  const text = readFileSync(MANIFEST, "utf8");
  const manifest = parseDataManifest(text, "emma500-manifest.yaml");
  const bitext = manifest.datasets.filter((d) => d.pair !== undefined);

  it("is declared, not measured, and says so", () => {
    expect(manifest.counts).toBe("declared");
    expect(text.split("\n", 1)[0]).toContain("generate-emma500-manifest.ts");
  });

  it("has the paper's bitext pairs and tokens in each of its seven resource categories", () => {
    expect(TIERS).toEqual(Object.keys(PAPER));
    expect(bitext).toHaveLength(2507);
    for (const [tier, [pairs, tokens]] of Object.entries(PAPER)) {
      const members = bitext.filter((d) => d.tier === tier);
      expect(members, tier).toHaveLength(pairs);
      const sum = members.reduce((n, d) => n + d.tokens, 0);
      expect(Math.abs(sum - tokens) / tokens, tier).toBeLessThan(1e-6);
    }
  });

  it("pairs languages beyond English, and has monolingual text plus code, instructions, books and papers", () => {
    expect(bitext.filter((d) => d.language !== "eng_Latn" && d.pair !== "eng_Latn").length).toBeGreaterThan(
      1000
    );
    expect(new Set(bitext.map((d) => `${d.language}-${d.pair}`)).size).toBe(bitext.length);
    expect(manifest.datasets.filter((d) => d.path.startsWith("mono/"))).toHaveLength(540);
    expect(manifest.datasets.filter((d) => d.path.startsWith("extra/")).map((d) => d.path)).toEqual(
      ["code", "instructions", "books", "papers"].map((n) => `extra/${n}_text_document`)
    );
  });

  it("is what its generator writes", () => {
    execFileSync("npx", ["tsx", "examples/data/generate-emma500-manifest.ts"], { cwd: REPO });
    expect(readFileSync(MANIFEST, "utf8")).toBe(text);
  });
});
