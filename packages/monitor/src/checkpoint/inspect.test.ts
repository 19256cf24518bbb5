import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalExecutor } from "@neoxctl/exec";
import type { ExecOptions, Executor } from "@neoxctl/exec";
import { SpecError } from "@neoxctl/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CheckpointLayout } from "./expected-files.ts";
import { requiredFiles } from "./expected-files.ts";
import { inspectCheckpoints, listingCommand, newestComplete, parseFindListing } from "./inspect.ts";

const layout: CheckpointLayout = { tp: 2, pp: 0, dp: 2, bf16: true };
let save = "";
beforeEach(() => {
  save = mkdtempSync(join(tmpdir(), "ckpt-"));
});
afterEach(() => rmSync(save, { recursive: true, force: true }));

function writeStep(
  step: number,
  l: CheckpointLayout,
  opts: { skip?: string; empty?: string; configs?: boolean } = {}
): void {
  const dir = join(save, `global_step${step}`);
  mkdirSync(join(dir, "configs"), { recursive: true });
  for (const f of requiredFiles(l))
    if (f !== opts.skip) writeFileSync(join(dir, f), f === opts.empty ? "" : "x");
  if (l.pp >= 1)
    for (let t = 0; t < l.tp; t++) writeFileSync(join(dir, `layer_00-model_0${t}-model_states.pt`), "x");
  if (opts.configs !== false) writeFileSync(join(dir, "configs", "run.yml"), "a: 1\n");
}

describe("expected file set", () => {
  it("matches NeoX's names for tp=2 dp=2 bf16", () => {
    expect(requiredFiles(layout)).toEqual([
      "mp_rank_00_model_states.pt",
      "mp_rank_01_model_states.pt",
      "bf16_zero_pp_rank_0_mp_rank_00_optim_states.pt",
      "bf16_zero_pp_rank_0_mp_rank_01_optim_states.pt",
      "bf16_zero_pp_rank_1_mp_rank_00_optim_states.pt",
      "bf16_zero_pp_rank_1_mp_rank_01_optim_states.pt",
      "zero_to_fp32.py"
    ]);
    expect(requiredFiles({ tp: 1, pp: 0, dp: 1, bf16: false })).toContain(
      "zero_pp_rank_0_mp_rank_00_optim_states.pt"
    );
  });
});

describe("inspectCheckpoints (real files through LocalExecutor)", () => {
  const ex = new LocalExecutor();

  it("accepts complete checkpoints and answers newestComplete", async () => {
    writeStep(100, layout);
    writeStep(200, layout);
    writeFileSync(join(save, "latest"), "global_step200");
    const r = await inspectCheckpoints(ex, save, layout);
    expect(r.latest).toBe("ok");
    expect(r.checkpoints.map((c) => [c.step, c.complete])).toEqual([
      [100, true],
      [200, true]
    ]);
    expect(newestComplete(r)?.step).toBe(200);
    expect(newestComplete(r, 199)?.step).toBe(100);
    expect(newestComplete(r, 50)).toBeNull();
  });

  it("does not trust latest when it names a save cut short (no configs/, missing shard, empty file)", async () => {
    writeStep(100, layout);
    writeStep(200, layout, { configs: false });
    writeFileSync(join(save, "latest"), "global_step200");
    const r = await inspectCheckpoints(ex, save, layout);
    expect(r.latest).toBe("names_incomplete");
    expect(r.checkpoints[1]?.missing).toEqual(["configs/*"]);
    expect(newestComplete(r)?.step).toBe(100);

    writeStep(300, layout, { skip: "bf16_zero_pp_rank_1_mp_rank_01_optim_states.pt" });
    writeStep(400, layout, { empty: "mp_rank_01_model_states.pt" });
    const r2 = await inspectCheckpoints(ex, save, layout);
    expect(r2.checkpoints.find((c) => c.step === 300)?.missing).toEqual([
      "bf16_zero_pp_rank_1_mp_rank_01_optim_states.pt"
    ]);
    expect(r2.checkpoints.find((c) => c.step === 400)?.empty).toEqual(["mp_rank_01_model_states.pt"]);
    expect(newestComplete(r2)?.step).toBe(100);
  });

  it("reports latest naming a missing directory, and a missing latest", async () => {
    writeStep(100, layout);
    writeFileSync(join(save, "latest"), "global_step500");
    expect((await inspectCheckpoints(ex, save, layout)).latest).toBe("names_missing");
    rmSync(join(save, "latest"));
    expect((await inspectCheckpoints(ex, save, layout)).latest).toBe("absent");
  });

  it("requires per-layer files with the pipeline engine", async () => {
    const pipe = { ...layout, pp: 1 };
    writeStep(100, layout);
    writeStep(200, pipe);
    const r = await inspectCheckpoints(ex, save, pipe);
    expect(r.checkpoints.map((c) => c.complete)).toEqual([false, true]);
    expect(r.checkpoints[0]?.missing).toEqual([
      "layer_*-model_00-model_states.pt",
      "layer_*-model_01-model_states.pt"
    ]);
  });

  it("treats a missing save directory as no checkpoints", async () => {
    const r = await inspectCheckpoints(ex, join(save, "nope"), layout);
    expect(r).toMatchObject({ latest: "absent", checkpoints: [] });
  });

  it("reports when each save finished: the newest configs/ file time, not the shards'", async () => {
    writeStep(100, layout);
    const dir = join(save, "global_step100");
    utimesSync(join(dir, "configs", "run.yml"), 1_000, 1_000);
    utimesSync(join(dir, "mp_rank_00_model_states.pt"), 5_000, 5_000);
    writeFileSync(join(dir, "configs", "other.yml"), "b: 2\n");
    utimesSync(join(dir, "configs", "other.yml"), 2_000, 2_500);
    const r = await inspectCheckpoints(ex, save, layout);
    expect(r.checkpoints[0]?.savedAtMs).toBe(2_500_000);
  });
});

// Regression (issue 13, finding 1): `checkpointing.save: "-delete"` became `find -delete -mindepth 1 …`,
// run in whatever directory the supervisor was in, which find then emptied.
describe("the find command never takes a save directory for an option", () => {
  /** A local executor that, like the supervisor's, runs where its process is unless told otherwise. */
  function executorIn(dir: string, calls: { argv: readonly string[]; cwd?: string }[]): Executor {
    const local = new LocalExecutor();
    return Object.assign(Object.create(local) as Executor, {
      run: (argv: readonly string[], options?: ExecOptions) => {
        calls.push({ argv, ...(options?.cwd !== undefined ? { cwd: options.cwd } : {}) });
        return local.run(argv, { ...options, cwd: options?.cwd ?? dir });
      }
    });
  }

  it.each(["-delete", "--help", "-fprint0", "ckpt", "./ckpt", "../ckpt", "", "/a/../b", "/a/"])(
    "refuses %j before running anything, and the working directory keeps its files",
    async (bad) => {
      const work = join(save, "supervisor-cwd");
      mkdirSync(join(work, "runs"), { recursive: true });
      writeFileSync(join(work, "runs", "keep.txt"), "x");
      const calls: { argv: readonly string[]; cwd?: string }[] = [];
      await expect(inspectCheckpoints(executorIn(work, calls), bad, layout)).rejects.toBeInstanceOf(
        SpecError
      );
      expect(calls).toEqual([]);
      expect(existsSync(join(work, "runs", "keep.txt"))).toBe(true);
    }
  );

  it("passes an absolute directory as the starting point and runs in /", async () => {
    writeStep(100, layout);
    const calls: { argv: readonly string[]; cwd?: string }[] = [];
    const r = await inspectCheckpoints(executorIn(save, calls), save, layout);
    expect(r.checkpoints.map((c) => c.step)).toEqual([100]);
    expect(calls).toEqual([listingCommand(save)].map(({ argv, cwd }) => ({ argv, cwd })));
    expect(calls[0]?.argv[1]).toBe(save);
    expect(calls[0]?.cwd).toBe("/");
  });
});

describe("parseFindListing", () => {
  it("reads the listing with and without times, keeping tabs in names", () => {
    expect(parseFindListing("f\t3\ta\tb\n")).toEqual([{ path: "a\tb", type: "file", size: 3 }]);
    expect(parseFindListing("f\t3\t1700000000.25\ta\tb\nd\t0\t1.5\tdir\n", true)).toEqual([
      { path: "a\tb", type: "file", size: 3, mtimeMs: 1_700_000_000_250 },
      { path: "dir", type: "dir", size: 0, mtimeMs: 1500 }
    ]);
  });
});
