import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalExecutor } from "@neoxctl/exec";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventFollower } from "./event-follower.ts";

const train = (step: number): string =>
  ` samples/sec: 83.252 | iteration ${String(step).padStart(8)}/     300 | elapsed time per iteration (ms): 30.0 | learning rate: 1.000E-04 | approx flops per GPU: 95.7TFLOPS | lm_loss: 2.500000E+00 | number of skipped iterations:   0 | number of nan iterations:   0 |\n`;

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "event-follow-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("EventFollower", () => {
  it("parses new bytes into located events, holding a partial line back", async () => {
    const path = join(dir, "out.log");
    const f = new EventFollower(new LocalExecutor(), path, { recentLines: 2 });
    expect((await f.poll()).events).toEqual([]);
    const first = "hello\n" + train(1);
    writeFileSync(path, first + train(2).slice(0, 40));
    const r = await f.poll();
    expect(r.events.map((e) => [e.event.kind, e.end])).toEqual([["train", Buffer.byteLength(first)]]);
    expect(r.offset).toBe(Buffer.byteLength(first));
    appendFileSync(path, train(2).slice(40) + "bye\n");
    const r2 = await f.poll();
    expect(r2.events.map((e) => (e.event.kind === "train" ? e.event.step : null))).toEqual([2]);
    expect(f.recentLines()).toEqual([train(2).slice(0, -1), "bye"]);
    expect(f.counts).toEqual({ parsed: 2, unparsed: 2 });
  });

  it("resumes from a stored offset with absolute event offsets", async () => {
    const path = join(dir, "out.log");
    writeFileSync(path, train(1) + train(2));
    const f = new EventFollower(new LocalExecutor(), path, { offset: Buffer.byteLength(train(1)) });
    const r = await f.poll();
    expect(r.events.map((e) => e.end)).toEqual([Buffer.byteLength(train(1) + train(2))]);
  });

  it("on truncation returns only the new content's events, located from 0", async () => {
    const path = join(dir, "out.log");
    writeFileSync(path, train(1) + train(2));
    const f = new EventFollower(new LocalExecutor(), path, { recentLines: 5 });
    await f.poll();
    truncateSync(path, 0);
    writeFileSync(path, train(7));
    const r = await f.poll();
    expect(r.notes[0]?.kind).toBe("truncated");
    expect(r.events.map((e) => [e.end, e.event.kind === "train" ? e.event.step : null])).toEqual([
      [Buffer.byteLength(train(7)), 7]
    ]);
    expect(f.recentLines()).toEqual([train(7).slice(0, -1)]);
  });
});
