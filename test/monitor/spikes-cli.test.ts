import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
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
    expect(lines[0]).toMatchObject({ step: 11448, kind: "spike", loss: 7.71234 });
    expect(lines.at(-1)).toMatchObject({ summary: { points: 3, alarms: 1 } });
    expect((lines.at(-1)?.["summary"] as { unparsedLines: number }).unparsedLines).toBeGreaterThan(0);
  });

  it("reads a step,loss CSV and prints a readable table", () => {
    const { stdout } = neoxctl(["spikes", resolve(FIX, "csv/bs_tr11_176B_spike31219.csv")]);
    expect(stdout).toMatch(/31219\s+spike/);
    expect(stdout).toMatch(/recovered .* back in 31 steps/);
  });

  it("exits 2 with a JSON error for a missing file", () => {
    const { stdout, status } = neoxctl(["spikes", "/nonexistent/file.log", "--json"]);
    expect(status).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({ error: { code: "SPEC_NOT_FOUND" } });
  });
});
