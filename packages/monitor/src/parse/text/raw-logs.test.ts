import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR, FULL_DIR } from "../../__fixtures__/paths.ts";
import { LineParser, parseLine } from "./parse-line.ts";

function trainLines(text: string): number {
  return text
    .split("\n")
    .filter((l) => /^\s*(\[default\d+\]:)?\s*iteration\s+\d+\//.test(l) || /^s:\d+ trl:/.test(l)).length;
}

function checkLog(text: string): void {
  const parser = new LineParser();
  let train = 0;
  let lastLoss: number | null = null;
  for (const line of text.split("\n")) {
    const ev = parser.parse(line);
    if (ev?.kind === "train") {
      train++;
      lastLoss = ev.loss;
    }
  }
  // every line that looks like a training line is parsed as one, and the prose around it is only counted
  expect(train).toBe(trainLines(text));
  expect(train).toBeGreaterThan(0);
  expect(lastLoss === null || lastLoss > 0).toBe(true);
}

describe("real logs", () => {
  const fixtureRaw = join(FIXTURES_DIR, "raw");
  for (const f of readdirSync(fixtureRaw)) {
    it(`parses every training line of fixture ${f}`, () =>
      checkLog(readFileSync(join(fixtureRaw, f), "utf8")));
  }

  const fullRaw = join(FULL_DIR, "raw");
  for (const f of readdirSync(fullRaw)) {
    it(`parses every training line of the full log ${f}`, () =>
      checkLog(readFileSync(join(fullRaw, f), "utf8")));
  }

  it("matches the labelled spike values of the BigScience excerpts", () => {
    const text = readFileSync(join(fixtureRaw, "bs_tr11_176B_spike31219.txt"), "utf8");
    const spike = text
      .split("\n")
      .map((l) => parseLine(l))
      .find((e) => e?.kind === "train" && e.step === 31219);
    expect(spike).toMatchObject({ loss: 5.098124, gradNorm: 960.351 });
  });
});

describe("fuzz", () => {
  const sample =
    " samples/sec: 83.252 | iteration      100/   40000 | elapsed time per iteration (ms): 24600.0 | learning rate: 2.500E-05 | approx flops per GPU: 95.7TFLOPS | lm_loss: NAN | loss scale: 65536.0 | number of skipped iterations:   0 | number of nan iterations:   0 |";

  it("never throws on random text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        parseLine(s);
        parseLine(s, "llmc");
      }),
      { numRuns: 2000 }
    );
  });

  it("never throws on mangled real lines", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: sample.length }),
        fc.integer({ min: 0, max: sample.length }),
        fc.string({ maxLength: 20 }),
        (a, b, ins) => {
          const [lo, hi] = a < b ? [a, b] : [b, a];
          const mangled = sample.slice(0, lo) + ins + sample.slice(hi);
          const ev = parseLine(mangled);
          if (ev?.kind === "train") expect(Number.isInteger(ev.step)).toBe(true);
        }
      ),
      { numRuns: 2000 }
    );
  });
});
