import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rigFactory, startCurrent, trainLine } from "../testing/rig.test-support.ts";
import type { Rig } from "../testing/rig.test-support.ts";
import { requestControl } from "../worker/controls/command.ts";

const rigs = rigFactory({ beforeAll, afterEach, afterAll });
const MIN = 60_000;

/** Logs steps from..to of attempt `n` at `ms` per iteration, then runs one cycle. */
async function train(rig: Rig, n: number, from: number, to: number, ms: number): Promise<void> {
  let text = "";
  for (let s = from; s <= to; s++) text += trainLine(s, 2.5, ms);
  await rig.log(n, text);
  await rig.cycle();
}

const slowdowns = async (rig: Rig) => (await rig.events()).filter((e) => e.type === "slowdown");

describe("throughput guard, over a fake Slurm", () => {
  it("raises one slowdown once step time has stayed above factor × baseline for the window, with its evidence", async () => {
    const rig = await rigs({ resilience: "{slowdown: {factor: 1.5, window_min: 10}}" });
    await startCurrent(rig, ["nid001", "nid002"]);
    await train(rig, 1, 1, 10, 30);
    rig.advance(MIN);
    await train(rig, 1, 11, 15, 60); // slow from here
    rig.advance(5 * MIN);
    await train(rig, 1, 16, 20, 60);
    expect(await slowdowns(rig)).toHaveLength(0); // 5 min: not yet sustained
    rig.advance(5 * MIN);
    await train(rig, 1, 21, 25, 60);
    const [s, ...more] = await slowdowns(rig);
    expect(more).toHaveLength(0);
    expect(s!.evidence.nodes).toEqual(["nid001", "nid002"]);
    expect(s!.evidence.detail).toMatchObject({ baselineMs: 30, currentMs: 60, sinceStep: 11, attempt: 1 });
    expect(rig.reported.map((r) => r.type)).toContain("slowdown");
    rig.advance(5 * MIN);
    await train(rig, 1, 26, 30, 60);
    expect(await slowdowns(rig)).toHaveLength(1);
  });

  it("stays quiet on a clean run and on a slow stretch shorter than the window", async () => {
    const rig = await rigs({ resilience: "{slowdown: {factor: 1.5, window_min: 10}}" });
    await startCurrent(rig);
    await train(rig, 1, 1, 10, 30);
    for (let i = 0; i < 4; i++) {
      rig.advance(5 * MIN);
      await train(rig, 1, 11 + i * 5, 15 + i * 5, 31);
    }
    rig.advance(5 * MIN);
    await train(rig, 1, 31, 35, 60);
    rig.advance(5 * MIN);
    await train(rig, 1, 36, 40, 30); // back to normal before 10 min
    rig.advance(6 * MIN);
    await train(rig, 1, 41, 45, 30);
    expect(await slowdowns(rig)).toHaveLength(0);
  });

  it("a slowdown that came with a new node set and ended when a node was excluded marks that node suspect", async () => {
    const rig = await rigs({ resilience: "{slowdown: {factor: 1.5, window_min: 10}}" });
    const job = await startCurrent(rig, ["nid001", "nid002"]);
    await train(rig, 1, 1, 25, 30);
    rig.checkpoint(10);
    rig.checkpoint(20);
    rig.slurm.end(job, "NODE_FAIL", { failedNodes: ["nid002"] });
    await rig.cycle();
    await startCurrent(rig, ["nid001", "nid003"]); // attempt 2: nid003 is slow
    await train(rig, 2, 21, 25, 90);
    rig.advance(11 * MIN);
    await train(rig, 2, 26, 30, 90);
    expect(await slowdowns(rig)).toHaveLength(1);
    await requestControl(rig.store, rig.runId, { kind: "exclude", node: "nid003" });
    await rig.cycle();
    await rig.cycle();
    expect((await rig.attempt(3)).params.excludeNodes).toEqual(["nid002", "nid003"]);
    await startCurrent(rig, ["nid001", "nid004"]);
    await train(rig, 3, 21, 30, 30);
    const suspect = (await rig.events()).filter((e) => e.type === "node_suspect");
    expect(suspect.map((e) => e.evidence.nodes)).toEqual([["nid003"]]);
    // blamed by the exclusion and by the guard: kept out for good
    const bad = await rig.store.badNodes(rig.runId, rig.now());
    expect(bad.find((b) => b.node === "nid003")).toMatchObject({ blamed: 2, until: null });
  });
});
