import { describe, expect, it } from "vitest";
import { parseLine } from "./parse-line.ts";

describe("in-job restart lines (spare nodes)", () => {
  it("reads a restart on a spare: count, cap, the new nodes, the lost one, where it resumes", () => {
    // as printed on the test cluster by a job of 2 + 1 spare nodes after nid002 was set DOWN
    expect(
      parseLine("neoxctl-restart: in-job restart 1/2 on nid001,nid003 without nid002 from checkpoint 120")
    ).toEqual({
      kind: "in_job_restart",
      restart: 1,
      max: 2,
      nodes: ["nid001", "nid003"],
      lost: ["nid002"],
      from: "checkpoint 120",
      message: "neoxctl-restart: in-job restart 1/2 on nid001,nid003 without nid002 from checkpoint 120"
    });
  });
  it("reads the end of the spares", () => {
    expect(
      parseLine(
        "neoxctl-restart: node failure on nid003,nid004, no spare node left (1/2 in-job restarts); ending the job"
      )
    ).toMatchObject({ kind: "in_job_restart_refused", lost: ["nid003", "nid004"], restart: 1, max: 2 });
    expect(
      parseLine(
        "neoxctl-restart: node failure on nid003, in-job restart cap reached (2/2 in-job restarts); ending the job"
      )
    ).toMatchObject({ kind: "in_job_restart_refused", why: "in-job restart cap reached", restart: 2 });
  });
  it("ignores look-alikes", () => {
    expect(parseLine("neoxctl-restart: in-job restart one/2 on a without b from c")).toBeNull();
    expect(parseLine("echo neoxctl-restart: in-job restart 1/2 on a without b from c")).toBeNull();
  });
});
