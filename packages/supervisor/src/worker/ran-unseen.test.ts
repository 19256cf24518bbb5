import { describe, expect, it } from "vitest";
import type { JobView, Observations } from "../ports.ts";
import { emptyObservations } from "../ports.ts";
import { ranUnseen } from "./ran-unseen.ts";

const job = (state: JobView["state"]): JobView => ({ jobId: "7", state, nodes: ["nid001"], restarts: 0 });
const obs = (o: Partial<Observations> = {}): Observations => ({ ...emptyObservations(), ...o });

describe("ranUnseen", () => {
  it("a job first seen COMPLETED (or COMPLETING) has run", () => {
    expect(ranUnseen(job("COMPLETED"), obs())).toBe(true);
    expect(ranUnseen(job("COMPLETING"), obs())).toBe(true);
  });
  it("a job still pending or requeued has not", () => {
    expect(ranUnseen(job("PENDING"), obs())).toBe(false);
    expect(ranUnseen(job("REQUEUED"), obs({ firstIteration: 1 }))).toBe(false);
    expect(ranUnseen(job("UNKNOWN"), obs())).toBe(false);
  });
  it("a failure counts as a start only when the log shows the job trained", () => {
    expect(ranUnseen(job("NODE_FAIL"), obs())).toBe(false);
    expect(ranUnseen(job("FAILED"), obs({ firstIteration: 10 }))).toBe(true);
  });
  it("a job Slurm forgot counts as started when its log shows training", () => {
    expect(ranUnseen(undefined, obs())).toBe(false);
    expect(ranUnseen(undefined, obs({ firstIteration: 1, lastIteration: 40 }))).toBe(true);
  });
});
