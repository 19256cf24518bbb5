import { spawn } from "node:child_process";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { LocalExecutor } from "@neoxctl/exec";
import { ChunkParser, EventFollower, LineBuffer, LineParser } from "@neoxctl/monitor";
import { neoxIterationLines } from "../lib/neox-lines.ts";
import type { BenchOptions, FigureResult } from "../lib/result.ts";
import { checkTarget } from "../lib/result.ts";
import { summarize } from "../lib/stats.ts";

const MB = 1024 * 1024;

/** Writes emulator-format iteration lines until the file holds at least `bytes`. */
async function generateLog(path: string, bytes: number): Promise<{ size: number; iterations: number }> {
  const out = createWriteStream(path);
  let size = 0;
  let it = 0;
  const total = 10_000_000;
  // exact Python float formatting is slow; a cycle of 4,096 formatted iterations with only the
  // iteration number rewritten keeps generation at disk speed and every line in the emulator's format
  const template = Array.from({ length: 4096 }, (_, i) =>
    neoxIterationLines(
      1,
      total,
      2 + 8 / Math.sqrt(1 + i / 50) + 0.02 * Math.sin(i * 1.7),
      1e-4 * Math.min(1, (i + 1) / 2000)
    )
  );
  const marker = ` iteration ${"1".padStart(8, " ")}/`;
  while (size < bytes) {
    const parts: string[] = [];
    let chunk = 0;
    while (chunk < 4 * MB) {
      it++;
      const s = template[it % template.length]!.replace(marker, ` iteration ${String(it).padStart(8, " ")}/`);
      parts.push(s);
      chunk += s.length;
    }
    const buf = Buffer.from(parts.join(""));
    size += buf.length;
    if (!out.write(buf)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return { size, iterations: it };
}

/** bytes per read, as LogFollower reads a growing log (its default readBytes) */
const READ_BYTES = 1024 * 1024;

/**
 * The streaming path a follower takes: chunked Buffer reads straight into ChunkParser, which reads
 * NeoX training and timers lines from the bytes and decodes only the lines its fast paths decline.
 */
async function parseFileChunked(path: string): Promise<{ ms: number; train: number }> {
  const t0 = performance.now();
  const fh = await open(path, "r");
  const parser = new ChunkParser("neox");
  const buf = Buffer.allocUnsafe(READ_BYTES);
  let train = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      for (const ev of parser.push(buf.subarray(0, bytesRead))) if (ev.kind === "train") train++;
    }
    for (const ev of parser.flush()) if (ev.kind === "train") train++;
  } finally {
    await fh.close();
  }
  return { ms: performance.now() - t0, train };
}

/** the follower row's read size (what the supervisor's LogReader asks for) and per-poll limit (ByteFollower's default) */
const FOLLOW_READ_BYTES = 4 * MB;
const FOLLOW_POLL_BYTES = 8 * MB;

/**
 * The same parser as the product drives it when it catches up on a log from byte 0: EventFollower
 * over LocalExecutor (a file open, stat and read per call; format auto; located events whose text
 * is decoded on demand; the last 8 lines kept), polled until it has caught up, every event looked
 * at. Each poll holds its events until it returns, so they outlive young-generation collections.
 */
async function parseFileFollower(path: string): Promise<{ ms: number; train: number }> {
  const t0 = performance.now();
  const follower = new EventFollower(new LocalExecutor(), path, {
    format: "auto",
    readBytes: FOLLOW_READ_BYTES,
    maxBytesPerPoll: FOLLOW_POLL_BYTES,
    recentLines: 8
  });
  let train = 0;
  let last = -1;
  for (;;) {
    const r = await follower.poll();
    for (const e of r.events) if (e.event.kind === "train") train++;
    if (r.offset >= r.size || r.offset === last) break;
    last = r.offset;
  }
  return { ms: performance.now() - t0, train };
}

/** The string path (before ChunkParser): LineBuffer decodes every line, LineParser runs the regex parsers on it. */
async function parseFileStrings(path: string): Promise<{ ms: number; train: number }> {
  const t0 = performance.now();
  const lines = new LineBuffer();
  const parser = new LineParser("neox");
  let train = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MB })) {
    for (const line of lines.push(chunk as Buffer)) if (parser.parse(line)?.kind === "train") train++;
  }
  return { ms: performance.now() - t0, train };
}

async function grepCount(path: string): Promise<{ ms: number; count: number }> {
  const t0 = performance.now();
  const child = spawn("grep", ["-c", "lm_loss", path], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.on("close", r));
  if (code !== 0) throw new Error(`grep exited ${code}`);
  return { ms: performance.now() - t0, count: Number(out.trim()) };
}

export async function runParseThroughput(opts: BenchOptions): Promise<FigureResult> {
  const started = Date.now();
  const target = opts.quick ? 128 * MB : 1024 * MB;
  const trials = opts.quick ? 2 : 3;
  const dir = await mkdtemp(join(tmpdir(), "neoxctl-bench-parse-"));
  const path = join(dir, "slurm-neox.out");
  const notes: string[] = [];
  try {
    opts.log(`parse: generating ${(target / MB).toFixed(0)} MB of emulator-format log in ${dir}`);
    const gen = await generateLog(path, target);
    const size = (await stat(path)).size;
    // both readers see the file from the page cache: warm it once, untimed
    await grepCount(path);
    const parseMbs: number[] = [];
    const followMbs: number[] = [];
    const stringMbs: number[] = [];
    const grepMbs: number[] = [];
    for (let i = 0; i < trials; i++) {
      const g = await grepCount(path);
      const p = await parseFileChunked(path);
      const f = await parseFileFollower(path);
      const q = await parseFileStrings(path);
      if (
        p.train !== gen.iterations ||
        f.train !== gen.iterations ||
        q.train !== gen.iterations ||
        g.count !== gen.iterations
      ) {
        throw new Error(
          `parse saw ${p.train} (chunked), ${f.train} (follower) and ${q.train} (strings), grep ${g.count} training lines, expected ${gen.iterations}`
        );
      }
      grepMbs.push(size / MB / (g.ms / 1000));
      parseMbs.push(size / MB / (p.ms / 1000));
      followMbs.push(size / MB / (f.ms / 1000));
      stringMbs.push(size / MB / (q.ms / 1000));
      opts.log(
        `parse: trial ${i + 1}: ChunkParser ${parseMbs.at(-1)!.toFixed(1)} MB/s, EventFollower ${followMbs.at(-1)!.toFixed(1)} MB/s, LineBuffer+LineParser ${stringMbs.at(-1)!.toFixed(1)} MB/s, grep ${grepMbs.at(-1)!.toFixed(1)} MB/s`
      );
    }
    const s = summarize(parseMbs);
    const a = summarize(grepMbs);
    notes.push(
      `file: ${(size / MB).toFixed(0)} MB, ${gen.iterations} iterations (training line + timers line each), page-cached; parse = ${READ_BYTES / MB} MB reads into ChunkParser("neox") (byte-level fast paths, full parser for the rest) in one Node thread, every event built; grep, the chunked parser, the follower and the string path run in turn in each trial`,
      `follower row: the same parser under EventFollower + LocalExecutor as a catch-up from byte 0 (format auto, ${FOLLOW_READ_BYTES / MB} MB reads, polls of at most ${FOLLOW_POLL_BYTES / MB} MB whose events are held until the poll returns, last 8 lines kept); no target, it shows what the follower adds (reads through the executor, located events, events kept per poll); the supervisor's LogReader polls with no per-poll limit, so on a catch-up it holds every event of the log at once`
    );
    return {
      name: "parse",
      title: "NeoX log parsing throughput",
      scope:
        "whole-file chunked read + line split + parse of every line into events; grep -c lm_loss on the same file in the same run",
      measurements: [
        {
          metric: "parse_mb_s",
          case: `${(size / MB).toFixed(0)} MB log`,
          unit: "MB/s",
          summary: s,
          anchor: { label: "grep -c lm_loss", summary: a }
        },
        {
          metric: "parse_mb_s",
          case: `${(size / MB).toFixed(0)} MB log, EventFollower catch-up (LocalExecutor, auto, 4 MB reads, 8 MB polls)`,
          unit: "MB/s",
          summary: summarize(followMbs),
          anchor: { label: "grep -c lm_loss", summary: a }
        },
        {
          metric: "parse_mb_s",
          case: `${(size / MB).toFixed(0)} MB log, string path (LineBuffer + LineParser)`,
          unit: "MB/s",
          summary: summarize(stringMbs),
          anchor: { label: "grep -c lm_loss", summary: a }
        },
        checkTarget({
          metric: "parse_vs_grep",
          case: `${(size / MB).toFixed(0)} MB log`,
          unit: "×",
          summary: summarize(parseMbs.map((p, i) => p / grepMbs[i]!)),
          ratio: s.p50 / a.p50,
          target: { op: ">=", value: 0.25, on: "p50" }
        })
      ],
      notes,
      durationMs: Date.now() - started
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
