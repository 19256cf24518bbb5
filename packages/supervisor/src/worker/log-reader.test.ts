import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResilienceSchema } from "@neoxctl/core";
import { LocalExecutor, type Executor } from "@neoxctl/exec";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { neoxTrainLine } from "../observe/neox-lines.test-support.ts";
import { LogReader, type LogWatch } from "./log-reader.ts";

const R = ResilienceSchema.parse({});
/** attempt 1's log at `path`, first run of its job, nothing stored yet, at time 0 unless `more` says */
const watch = (exec: Executor, path: string, more: Partial<LogWatch> = {}): LogWatch => ({
  exec,
  key: "r:1:0",
  path,
  resilience: R,
  attempt: 1,
  emitFrom: 0,
  now: 0,
  ...more
});
const train = (step: number): string => neoxTrainLine(step, "2.500000E+00");

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "log-reader-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("LogReader", () => {
  it("follows an attempt's log: whole lines only, offset past them, tail of the last lines", async () => {
    const path = join(dir, "a.out");
    const ex = new LocalExecutor();
    const reader = new LogReader();
    writeFileSync(path, "starting\n" + train(1) + train(2).slice(0, 30));
    let o = await reader.observe(watch(ex, path, { now: 1000 }));
    expect(o.obs.lastIteration).toBe(1);
    expect(o.parsedOffset).toBe(Buffer.byteLength("starting\n" + train(1)));
    appendFileSync(path, train(2).slice(30) + "done\n");
    o = await reader.observe(watch(ex, path, { now: 2000 }));
    expect(o.obs.lastIteration).toBe(2);
    expect(o.pending.map((p) => p.step)).toEqual([1, 2]);
    expect(o.obs.tail).toEqual(["starting", train(1).trimEnd(), train(2).trimEnd(), "done"]);
  });

  it("reads a log longer than one catch-up step to its end in one observe", async () => {
    const path = join(dir, "a.out");
    writeFileSync(path, Array.from({ length: 300 }, (_, i) => train(i + 1)).join("") + "tail line\n");
    const o = await new LogReader(1024).observe(watch(new LocalExecutor(), path));
    expect(o.obs).toMatchObject({ firstIteration: 1, lastIteration: 300 });
    expect(o.pending).toHaveLength(300);
    expect(o.obs.tail?.at(-1)).toBe("tail line");
  });

  it("starts a fresh observer when the log is truncated, and rebuilt ones skip points already stored", async () => {
    const path = join(dir, "a.out");
    const ex = new LocalExecutor();
    writeFileSync(path, train(1) + train(2));
    const rebuilt = await new LogReader().observe(watch(ex, path, { emitFrom: Buffer.byteLength(train(1)) }));
    expect(rebuilt.pending.map((p) => p.step)).toEqual([2]);
    expect(rebuilt.obs.firstIteration).toBe(1);

    const reader = new LogReader();
    await reader.observe(watch(ex, path));
    truncateSync(path, 0);
    writeFileSync(path, train(5));
    const o = await reader.observe(watch(ex, path));
    expect(o.obs).toMatchObject({ firstIteration: 5, lastIteration: 5 });
    expect(o.pending.map((p) => p.step)).toEqual([5]);
  });
});
