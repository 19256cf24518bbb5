import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalExecutor } from "@neoxctl/exec";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LogFollower } from "./log-follower.ts";
import { MultiFollower } from "./multi-follower.ts";
import type { FollowResult } from "./log-follower.ts";

/** counts bytes handed out, to prove nothing is re-read */
class CountingExecutor extends LocalExecutor {
  bytes = 0;
  override async readFrom(
    path: string,
    offset: number,
    maxBytes?: number
  ): Promise<{ data: Buffer; size: number }> {
    const r = await super.readFrom(path, offset, maxBytes);
    this.bytes += r.data.length;
    return r;
  }
}

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "follow-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("LogFollower", () => {
  it("starts before the file exists, then reads only new bytes", async () => {
    const path = join(dir, "out.log");
    const ex = new CountingExecutor();
    const f = new LogFollower(ex, path);
    expect((await f.poll()).lines).toEqual([]);
    writeFileSync(path, "a\nb\n");
    expect((await f.poll()).lines).toEqual(["a", "b"]);
    appendFileSync(path, "c\n");
    expect((await f.poll()).lines).toEqual(["c"]);
    expect(f.offset).toBe(6);
    // 6 bytes of content plus the 64-byte (here: shorter) overlap re-read to spot a replacement
    expect(ex.bytes).toBeLessThanOrEqual(6 + 4 + 6);
  });

  it("buffers a partial last line until its newline arrives, also across a UTF-8 character", async () => {
    const path = join(dir, "out.log");
    const f = new LogFollower(new LocalExecutor(), path);
    const text = Buffer.from("iteration 1 | lm_loss: 2.0 ✓\n");
    writeFileSync(path, text.subarray(0, text.length - 3));
    expect((await f.poll()).lines).toEqual([]);
    expect(f.offset).toBe(0);
    appendFileSync(path, text.subarray(text.length - 3));
    expect((await f.poll()).lines).toEqual(["iteration 1 | lm_loss: 2.0 ✓"]);
  });

  it("reports truncation and restarts from 0", async () => {
    const path = join(dir, "out.log");
    writeFileSync(path, "one\ntwo\n");
    const f = new LogFollower(new LocalExecutor(), path);
    await f.poll();
    truncateSync(path, 0);
    writeFileSync(path, "x\n");
    const r = await f.poll();
    expect(r.notes).toEqual([{ kind: "truncated", previousOffset: 8, size: 2 }]);
    expect(r.lines).toEqual(["x"]);
  });

  it("notices a replaced file that is already longer than the offset", async () => {
    const path = join(dir, "out.log");
    writeFileSync(path, "old line 1\n");
    const f = new LogFollower(new LocalExecutor(), path);
    await f.poll();
    writeFileSync(join(dir, "new.log"), "new line 1\nnew line 2\n");
    renameSync(join(dir, "new.log"), path);
    const r = await f.poll();
    expect(r.notes).toEqual([{ kind: "replaced", previousOffset: 11 }]);
    expect(r.lines).toEqual(["new line 1", "new line 2"]);
  });

  it("resumes from a stored offset without re-reading", async () => {
    const path = join(dir, "out.log");
    writeFileSync(path, "a\nb\npartial");
    const first = new LogFollower(new LocalExecutor(), path);
    await first.poll();
    const resumed = new LogFollower(new LocalExecutor(), path, { offset: first.offset });
    appendFileSync(path, " done\nc\n");
    expect((await resumed.poll()).lines).toEqual(["partial done", "c"]);
  });

  it("reads a file bigger than one read in a single poll", async () => {
    const path = join(dir, "out.log");
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    writeFileSync(path, lines.join("\n") + "\n");
    const r = await new LogFollower(new LocalExecutor(), path, { readBytes: 1000 }).poll();
    expect(r.lines).toEqual(lines);
  });
});

describe("MultiFollower", () => {
  it("follows many files with bounded concurrency and reports offsets to resume from", async () => {
    const seen = new Map<string, string[]>();
    const onData = (key: string, r: FollowResult): void => {
      seen.set(key, [...(seen.get(key) ?? []), ...r.lines]);
    };
    const m = new MultiFollower({ concurrency: 3, onData });
    const ex = new LocalExecutor();
    for (let i = 0; i < 20; i++) {
      writeFileSync(join(dir, `${i}.log`), `file ${i} line 0\n`);
      m.add(`run${i}`, ex, join(dir, `${i}.log`));
    }
    await m.sweep();
    for (let i = 0; i < 20; i++) appendFileSync(join(dir, `${i}.log`), `file ${i} line 1\n`);
    await m.sweep();
    expect(seen.size).toBe(20);
    expect(seen.get("run7")).toEqual(["file 7 line 0", "file 7 line 1"]);
    expect(m.offsets()["run7"]).toEqual({ path: join(dir, "7.log"), offset: 28 });
  });

  it("keeps following the other files when one read fails", async () => {
    const errors: string[] = [];
    const lines: string[] = [];
    const m = new MultiFollower({
      onData: (_k, r) => lines.push(...r.lines),
      onError: (k) => errors.push(k)
    });
    writeFileSync(join(dir, "ok.log"), "fine\n");
    m.add("ok", new LocalExecutor(), join(dir, "ok.log"));
    // a directory cannot be read as a file
    m.add("bad", new LocalExecutor(), dir);
    await m.sweep();
    expect(errors).toEqual(["bad"]);
    expect(lines).toEqual(["fine"]);
  });

  it("runs on its own timer until stopped", async () => {
    const lines: string[] = [];
    const m = new MultiFollower({ intervalMs: 10, onData: (_k, r) => lines.push(...r.lines) });
    const path = join(dir, "t.log");
    m.add("t", new LocalExecutor(), path);
    m.start();
    writeFileSync(path, "tick\n");
    await expect.poll(() => lines, { timeout: 10_000 }).toEqual(["tick"]);
    await m.stop();
  });
});
