import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DETECTOR_NAMES, LineBuffer, LineParser, createDetector, parseLine } from "@neoxctl/monitor";
import type { DetectorEvent, LogEvent, ParseFormat } from "@neoxctl/monitor";
import { REPO_ROOT } from "../support/targets.ts";

// Mangled training logs through the parsers, the line splitter and every spike detector: nothing may
// throw, every non-blank line is either parsed or counted as unknown, and every event is well formed.
const RUNS = process.env.NEOXCTL_LONG_TESTS === "1" ? 20_000 : 2_000;
const SEED = Number(process.env.NEOXCTL_FUZZ_SEED ?? 8_0001);

const raw = (name: string): string[] =>
  readFileSync(join(REPO_ROOT, "packages/monitor/src/__fixtures__/raw", name), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
const NEOX_HEAD =
  " samples/sec: 83.252 | iteration      100/   40000 | elapsed time per iteration (ms): 24600.0 | learning rate: 2.500E-05 | approx flops per GPU: 95.7TFLOPS |";
const SEEDS: string[] = [
  ...raw("bs_tr11_176B_spike31219.txt")
    .filter((l) => l.includes("iteration"))
    .slice(0, 40),
  ...raw("llmc_gpt2_124M.head2000.txt").slice(0, 40),
  `${NEOX_HEAD} lm_loss: 2.345679E+00 | loss_scale: 4096.0 | number of skipped iterations:   0 | number of nan iterations:   0 |`,
  `${NEOX_HEAD} lm_loss: NAN | number of skipped iterations:   0 | number of nan iterations:   1 |`,
  " validation results at iteration 1000 | lm_loss value: 2.1E+00 | lm_loss_ppl value: 8.1E+00 |",
  "[2024-01-01 10:00:00,000] [INFO] [logging.py:96:log_dist] [Rank 0] Saving model checkpoint: /ck/global_step2000/mp_rank_00_model_states.pt",
  "  successfully saved checkpoint at iteration    3000 to /ck",
  "nid005123:12345:12399 [3] NCCL WARN NET/OFI Request error",
  "Memory access fault by GPU node-9 (Agent handle: 0x5558) on address 0x7f00. Reason: Page not present or supervisor privilege.",
  "RuntimeError: HIP error: an illegal memory access was encountered",
  "srun: error: Node failure on nid005125",
  "srun: error: nid001234: task 3: Exited with exit code 1"
];

const NUMBERS = [
  "NAN",
  "nan",
  "NaN",
  "INF",
  "-INF",
  "inf",
  "Infinity",
  "-inf",
  "1e999",
  "-1e999",
  "9".repeat(400),
  "1.7976931348623157E+308",
  "4.9E-324",
  "-0",
  "0x1p3",
  "1_000",
  "١٢٣",
  "１２３",
  "",
  "E+00",
  "."
];

const mangled: fc.Arbitrary<Buffer> = fc
  .tuple(fc.constantFrom(...SEEDS), fc.constantFrom(...SEEDS))
  .chain(([a, b]) =>
    fc.oneof(
      fc.nat({ max: a.length }).map((n) => Buffer.from(a.slice(0, n))), // truncated
      fc
        .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 10 })
        .map((flips) => {
          const buf = Buffer.from(a); // byte flips, often invalid UTF-8
          for (const [at, v] of flips) buf[at % buf.length] = v;
          return buf;
        }),
      fc.tuple(fc.constantFrom(...NUMBERS), fc.nat()).map(([num, k]) => {
        const spots = [...a.matchAll(/-?\d[\d.]*(?:E[+-]\d+)?/g)]; // one number replaced by an extreme
        const m = spots[k % Math.max(spots.length, 1)];
        return Buffer.from(m ? a.slice(0, m.index) + num + a.slice(m.index + m[0].length) : a + num);
      }),
      fc
        .tuple(fc.nat({ max: a.length }), fc.nat({ max: b.length }))
        .map(([i, j]) => Buffer.from(a.slice(0, i) + b.slice(j))), // two ranks interleaved
      fc
        .tuple(
          fc.integer({ min: 0, max: 7 }),
          fc.constantFrom("\r", "\u0000", "\u001b[2K", "\ufffd", "\u202e", "\t")
        )
        .map(([r, junk]) => Buffer.from(`[default${r}]:${junk}${a}${junk}`)),
      fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)), // pure garbage
      fc
        .constantFrom(0, 0, 0, 1)
        .chain((k) => fc.nat({ max: k === 1 ? 1_200_000 : 20_000 }))
        .map((n) => Buffer.from(a + "x".repeat(n))) // very long line, sometimes past LineBuffer's 1 MiB cap
    )
  );

function checkEvent(ev: LogEvent): void {
  switch (ev.kind) {
    case "train":
      expect(Number.isSafeInteger(ev.step) && ev.step >= 0, `step ${ev.step}`).toBe(true);
      expect(ev.loss === null || typeof ev.loss === "number").toBe(true);
      return;
    case "eval":
    case "checkpoint_saving":
    case "checkpoint_saved":
    case "checkpoint_missing":
      expect(ev.step === null || (Number.isSafeInteger(ev.step) && ev.step >= 0), `step ${ev.step}`).toBe(
        true
      );
      return;
    case "checkpoint_load_start":
    case "exit_interval":
    case "data_start":
    case "deepspeed_step":
      expect(Number.isSafeInteger(ev.step), `step ${ev.step}`).toBe(true);
      return;
    case "timers":
    case "training_start":
    case "checkpoint_loaded":
    case "lr_override":
    case "overflow":
    case "node_error":
    case "task_exit":
    case "checkpoint_save_error":
    case "storage_error":
    case "preflight_failed":
    case "out_of_memory":
    case "traceback_frame":
    case "python_exception":
    case "rccl_net":
      return;
    case "collective_timeout":
      for (const n of [ev.rank, ev.seq, ev.ms]) expect(n === null || Number.isSafeInteger(n)).toBe(true);
      return;
    case "in_job_restart":
    case "in_job_restart_refused":
      for (const n of [ev.restart, ev.max]) expect(Number.isSafeInteger(n)).toBe(true);
      return;
  }
}

function checkDetectorEvents(events: readonly DetectorEvent[]): void {
  for (const e of events)
    expect(e.type === "rewind" ? Number.isFinite(e.toStep) : Number.isFinite(e.step)).toBe(true);
}

const counts = {
  lines: 0,
  bytes: 0,
  parsed: 0,
  unknown: 0,
  trainEvents: 0,
  detectorPoints: 0,
  alarms: 0,
  formats: {} as Record<string, number>
};

describe("mangled log lines", () => {
  it(`parses ${RUNS} batches of mangled lines without a throw, counting unknown ones`, () => {
    fc.assert(
      fc.property(
        fc.array(mangled, { minLength: 1, maxLength: 8 }),
        fc.constantFrom<ParseFormat>("auto", "neox", "megatron", "llmc"),
        fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 4096, max: 65536 })),
        (chunks, format, readSize) => {
          // the lines arrive as one byte stream cut at arbitrary points, the way a follower reads them
          const stream = Buffer.concat(chunks.flatMap((c) => [c, Buffer.from("\n")]));
          const lb = new LineBuffer(1 << 20);
          const lines: string[] = [];
          // tiny reads on a megabyte line would only measure Buffer.concat, so long streams are read in big pieces
          const step = stream.length > 100_000 ? Math.max(readSize, 4096) : readSize;
          for (let at = 0; at < stream.length; at += step)
            lines.push(...lb.push(stream.subarray(at, at + step)));
          expect(lb.pendingBytes).toBe(0);
          const parser = new LineParser(format);
          const detectors = DETECTOR_NAMES.map((n) => createDetector(n));
          let nonBlank = 0;
          for (const line of lines) {
            counts.lines++;
            counts.bytes += line.length;
            if (line.trim() !== "") nonBlank++;
            const ev = parser.parse(line);
            expect(parseLine(line, format)).toEqual(ev); // pure: the same line gives the same answer
            if (ev === null) continue;
            checkEvent(ev);
            if (ev.kind === "train" && ev.loss !== null) {
              counts.trainEvents++;
              for (const d of detectors) {
                const out = d.push({ step: ev.step, loss: ev.loss });
                counts.detectorPoints++;
                counts.alarms += out.filter((o) => o.type === "alarm").length;
                checkDetectorEvents(out);
              }
            }
            counts.formats[ev.kind] = (counts.formats[ev.kind] ?? 0) + 1;
          }
          expect(parser.parsed + parser.unparsed).toBe(nonBlank);
          counts.parsed += parser.parsed;
          counts.unknown += parser.unparsed;
        }
      ),
      { numRuns: RUNS, seed: SEED }
    );
    const out = join(REPO_ROOT, "test-results", "reliability");
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, "log-fuzz.json"),
      JSON.stringify({ seed: SEED, batches: RUNS, ...counts }, null, 2) + "\n"
    );
    expect(counts.lines).toBeGreaterThanOrEqual(RUNS);
    expect(counts.unknown).toBeGreaterThan(0);
    expect(counts.trainEvents).toBeGreaterThan(0);
  });

  it("feeds extreme loss sequences to every detector without a throw", () => {
    const extreme = fc.oneof(
      fc.double(),
      fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 5e-324, 1e308, -1)
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -5, max: 2 ** 40 }), extreme), { minLength: 1, maxLength: 200 }),
        (points) => {
          for (const name of DETECTOR_NAMES) {
            const d = createDetector(name);
            for (const [step, loss] of points) checkDetectorEvents(d.push({ step, loss }));
          }
        }
      ),
      { numRuns: RUNS / 2, seed: SEED + 1 }
    );
  });
});
