import { describe, expect, it } from "vitest";
import { SlurmClient } from "./client.ts";
import { formatSubmissionTag, parseSubmissionTag } from "./job-status.ts";
import type { Executor } from "@neoxctl/exec";

describe("submission tag", () => {
  it("reads back the run, attempt and nonce it was written with", () => {
    const tag = { runId: "r-1", attempt: 3, nonce: "9f2c04ab11de" };
    expect(formatSubmissionTag(tag)).toBe("neoxctl:run=r-1;attempt=3;nonce=9f2c04ab11de");
    expect(parseSubmissionTag(formatSubmissionTag(tag))).toEqual(tag);
  });

  it("reads a tag written before nonces existed, with no nonce", () => {
    expect(parseSubmissionTag("neoxctl:run=r-1;attempt=3")).toEqual({ runId: "r-1", attempt: 3 });
    expect(formatSubmissionTag({ runId: "r-1", attempt: 3 })).toBe("neoxctl:run=r-1;attempt=3");
  });

  it("refuses a nonce that would not read back as written", () => {
    expect(() => formatSubmissionTag({ runId: "r", attempt: 1, nonce: "a;attempt=9" })).toThrow(/nonce/);
    expect(() => formatSubmissionTag({ runId: "r", attempt: 1, nonce: "" })).toThrow(/nonce/);
  });

  it("sbatch carries the nonce in the --comment element, one argv element, before `--`", () => {
    const client = new SlurmClient({} as Executor);
    const argv = client.submitArgv({ scriptPath: "-x.sbatch", runId: "r", attempt: 2, nonce: "abc123" });
    expect(argv).toContain("--comment=neoxctl:run=r;attempt=2;nonce=abc123");
    expect(argv.slice(-2)).toEqual(["--", "-x.sbatch"]);
  });
});
