import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const FIX = resolve(ROOT, "packages/monitor/src/__fixtures__");

function neoxctl(args: string[]): { stdout: string; status: number } {
  try {
    return {
      stdout: execFileSync(
        process.execPath,
        ["--import", "tsx", resolve(ROOT, "packages/cli/src/main.ts"), ...args],
        { cwd: ROOT, encoding: "utf8" }
      ),
      status: 0
    };
  } catch (e) {
    const err = e as { stdout: string; status: number };
    return { stdout: err.stdout, status: err.status };
  }
}

describe("neoxctl spikes", () => {
  it("prints JSON lines for the alarms of a Megatron log and a summary with unparsed lines", () => {
    const { stdout, status } = neoxctl([
      "spikes",
      resolve(FIX, "raw/bs_tr8_104B_exp11_spike11448.txt"),
      "--format",
      "megatron",
      "--json"
    ]);
    expect(status).toBe(0);
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({
      step: 11448,
      kind: "spike",
      actionable: true,
      segment: 0,
      loss: 7.71234
    });
    expect(lines.at(-1)).toMatchObject({ summary: { points: 3, alarms: 1 } });
    expect((lines.at(-1)?.["summary"] as { unparsedLines: number }).unparsedLines).toBeGreaterThan(0);
  });

  it("says on every JSON line whether it needs action: a collapse is an alarm, a one-point outlier a notice", () => {
    const dir = mkdtempSync(join(tmpdir(), "spikes-"));
    const csv = join(dir, "curve.csv");
    const rows = Array.from({ length: 200 }, (_, i) => {
      const step = i + 1;
      const loss = step === 80 ? 5 : step > 150 ? 6 : 2;
      return `${step},${loss}`;
    });
    writeFileSync(csv, `step,loss\n${rows.join("\n")}\n`);
    const { stdout } = neoxctl(["spikes", csv, "--json"]);
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(0, 2)).toMatchObject([
      { step: 80, kind: "outlier", actionable: false, segment: 0 },
      { step: 152, onsetStep: 151, kind: "spike", actionable: true, segment: 0 }
    ]);
    expect(lines.at(-1)).toMatchObject({ summary: { notices: 1 } });
  });

  it("reads a step,loss CSV and prints a readable table", () => {
    const { stdout } = neoxctl(["spikes", resolve(FIX, "csv/bs_tr11_176B_spike31219.csv")]);
    expect(stdout).toMatch(/31220\s+spike .*\(onset 31219\)/);
    expect(stdout).toMatch(/recovered .* back in 31 steps/);
  });

  it("exits 2 with a JSON error for a missing file", () => {
    const { stdout, status } = neoxctl(["spikes", "/nonexistent/file.log", "--json"]);
    expect(status).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({ error: { code: "SPEC_NOT_FOUND" } });
  });
});
