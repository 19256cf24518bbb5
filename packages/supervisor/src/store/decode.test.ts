import { describe, expect, it } from "vitest";
import { AttemptSchema, RunEventSchema } from "../model.ts";
import { CorruptRecordError, CorruptTally, decodeRecord } from "./decode.ts";
import { StepPointSchema } from "./series-store.ts";

const source = { kind: "attempt" as const, key: "p:run:r1:attempt:1", runId: "r1" };

describe("decodeRecord", () => {
  it("refuses text that is not JSON without quoting it", () => {
    const d = decodeRecord(AttemptSchema, '{"token":"s3cr3t', source);
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.error).toBeInstanceOf(CorruptRecordError);
    expect(d.error.code).toBe("CORRUPT_RECORD");
    expect(d.error.message).toContain("p:run:r1:attempt:1");
    expect(d.error.message).not.toContain("s3cr3t");
  });

  it("names the fields that break the schema", () => {
    const d = decodeRecord(
      RunEventSchema,
      JSON.stringify({ type: "run_created", time: "t", cause: 3 }),
      source
    );
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error.message).toMatch(/cause: .*evidence: /);
  });

  it("reads a NaN loss the writer stored as null as no loss", () => {
    const p = StepPointSchema.parse(JSON.parse(JSON.stringify({ step: 3, attempt: 1, loss: NaN, lr: 1e-4 })));
    expect(p).toEqual({ step: 3, attempt: 1, loss: undefined, lr: 1e-4 });
  });
});

describe("CorruptTally", () => {
  it("counts by kind and tells listeners; must() throws, skip() gives undefined", () => {
    const tally = new CorruptTally();
    const heard: string[] = [];
    tally.onNote((e) => heard.push(e.source.kind));
    const bad = decodeRecord(AttemptSchema, "[]", source);
    expect(() => tally.must(bad)).toThrow(CorruptRecordError);
    expect(tally.skip(bad)).toBeUndefined();
    expect(tally.must(decodeRecord(StepPointSchema, '{"step":1,"attempt":1}', source))).toEqual({
      step: 1,
      attempt: 1
    });
    expect(tally.counts.get("attempt")).toBe(2);
    expect(heard).toEqual(["attempt", "attempt"]);
  });
});
