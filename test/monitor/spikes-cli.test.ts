import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const FIX = resolve(ROOT, "packages/monitor/src/__fixtures__");

function neoxctl(args: string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", resolve(ROOT, "packages/cli/src/main.ts"), ...args],
    {
      cwd: ROOT,
      encoding: "utf8"
    }
  );
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

function logFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "neoxctl-spikes-")), "train.log");
  writeFileSync(path, text);
  return path;
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

  it("warns, in text and in the JSON summary, when no line was read as training output (issue 17)", () => {
    // a prefix the parser does not know: before, this printed "no alarms / 0 loss points" and nothing else
    const file = logFile(
      [
        "using world size: 8",
        "[rank0] iteration        4/    5000 | lm loss: 9.1E+00 | loss scale: 1.0 |",
        "[rank0] iteration        5/    5000 | lm loss: 9.0E+00 | loss scale: 1.0 |",
        ""
      ].join("\n")
    );
    const json = neoxctl(["spikes", file, "--json"]);
    expect(json.status).toBe(0);
    const summary = (
      JSON.parse(json.stdout.trim().split("\n").at(-1)!) as { summary: Record<string, unknown> }
    ).summary;
    expect(summary).toMatchObject({ points: 0, notUnderstood: { megatron: 2, neox: 0, llmc: 0 } });
    expect(summary["warning"]).toMatch(/no training lines found.*2 megatron-like/);
    const text = neoxctl(["spikes", file]);
    expect(text.stderr).toMatch(/warning: no training lines found/);
  });

  it("reads Megatron-LM's timestamped lines (issue 17)", () => {
    const lines = [100, 101, 102, 103].map(
      (i) =>
        `[2025-08-01 09:33:0${i - 100}] iteration      ${i}/    5000 | consumed samples:        ${i * 512} | elapsed time per iteration (ms): 1620.4 | learning rate: 3.000E-06 | global batch size:   512 | lm loss: 2.${i}E+00 | loss scale: 1.0 | grad norm: 1.2 | number of skipped iterations:   0 | number of nan iterations:   0 |`
    );
    const json = neoxctl(["spikes", logFile(lines.join("\n")), "--json"]);
    const summary = (
      JSON.parse(json.stdout.trim().split("\n").at(-1)!) as { summary: Record<string, unknown> }
    ).summary;
    expect(summary).toMatchObject({ points: 4 });
    expect(summary["warning"]).toBeUndefined();
  });
});
