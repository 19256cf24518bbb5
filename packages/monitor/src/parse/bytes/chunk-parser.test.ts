import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR, FULL_DIR } from "../../__fixtures__/paths.ts";
import { LineBuffer } from "../../follow/line-buffer.ts";
import { ChunkParser } from "./chunk-parser.ts";
import { canon } from "../canonical-json.test-support.ts";
import { prefilterLine } from "../line-prefilter.ts";
import { LineParser, parseLine } from "../text/parse-line.ts";
import type { ParseFormat } from "../text/parse-line.ts";

const FORMATS: readonly ParseFormat[] = ["auto", "neox", "megatron", "llmc"];

/** one line of each kind the parsers know, plus the chatter around them */
const KNOWN = [
  " samples/sec: 83.252 | iteration      100/   40000 | elapsed time per iteration (ms): 24600.0 | learning rate: 2.500E-05 | approx flops per GPU: 95.7TFLOPS | lm_loss: 2.345679E+00 | number of skipped iterations:   0 | number of nan iterations:   0 |",
  " samples/sec: 83.252 | iteration      101/   40000 | elapsed time per iteration (ms): 24600.0 | learning rate: 2.500E-05 | approx flops per GPU: 95.7TFLOPS | MFU: 30.12% | HFU: 40.16% | lm_loss: NAN | loss scale: 65536.0 | number of skipped iterations:   2 | number of nan iterations:   1 |",
  "[default7]: iteration    31219/  115311 | consumed samples:     47778736 | elapsed time per iteration (s): 106.36 | learning rate: 5.279E-05 | lm loss: 5.098124E+00 | grad norm: 960.351 |",
  "time (ms) | forward: 5123.45 | backward: 11234.56 | backward-backward: 11200.12 | backward-allreduce: 0.00 | optimizer: 812.34 | batch generator: 12.34",
  "time (ms)",
  " validation results at iteration 1000 | lm_loss value: 2.123456E+00 | lm_loss_ppl value: 8.359980E+00 | ",
  " validation results at the end of training for val data | lm_loss value: 8.0E+00 | ",
  "Loading checkpoint and starting from iteration 2000",
  "Unable to load checkpoint.",
  "  successfully loaded /ck/global_step2000/mp_rank_00_model_states.pt",
  "[INFO] [Torch] Checkpoint global_step2000 is ready now!",
  "[Rank 0] Saving model checkpoint: /ck/global_step2000/mp_rank_00_model_states.pt",
  "  successfully saved checkpoint at iteration    3000 to /ck",
  "rank: 0 | time: 2024-01-01 10:00:00 | exiting the program at iteration 5000",
  "setting training data start iteration to 2000",
  " > overriding learning rate value to 0.0001",
  " > using checkpoint value 0.0003 for learning rate",
  "training ...",
  "[Rank 0] step=100, skipped=3, lr=[0.0001], mom=[(0.9, 0.95)]",
  "[deepscale] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 1048576.0, reducing to 524288.0",
  "nid005123:12345:12399 [3] RCCL WARN Call to ibv_reg_mr failed",
  "nid005123:12345:12399 [3] NCCL INFO Channel 00/32 : 0 1 2 3",
  "nid007001: Memory access fault by GPU node-4 (Agent handle: 0x1) on address 0x2.",
  "RuntimeError: HIP error: an illegal memory access was encountered",
  "hipErrorNoDevice",
  "HSA_STATUS_ERROR_OUT_OF_RESOURCES",
  "torch.distributed.DistBackendError: RCCL error in: ProcessGroupNCCL.cpp:1269, unhandled system error",
  "nid005124: cassini event queue overflow detected",
  "nid005124: CXI link error",
  "cxil_map failed",
  "srun: error: Node failure on nid005125",
  "srun: error: nid001234: task 3: Exited with exit code 1",
  "neoxctl-restart: in-job restart 1/2 on nid001,nid003 without nid002 from checkpoint 120",
  "neoxctl-restart: node failure on nid003, no spare node left (1/2 in-job restarts); ending the job",
  "s:12 trl:9.7924 lr:0.000011 norm:3.01",
  "s:250 tel:6.1710"
];
const CHATTER = [
  "",
  "   ",
  "\t",
  "Warning: something happened",
  "[rank0]: loading tokenizer",
  "ünïcödé text",
  "\u00a0",
  "0: 1: 2:",
  "| | |",
  "x".repeat(300)
];

const words = [...KNOWN, ...CHATTER].flatMap((l) => l.split(/(\s+|\|)/)).filter((w) => w !== "");
const lineArb = fc.oneof(
  fc.constantFrom(...KNOWN, ...CHATTER),
  fc.array(fc.constantFrom(...words, " ", " | ", "é", "\r"), { maxLength: 12 }).map((ws) => ws.join("")),
  fc.string({ maxLength: 40 })
);

/** LineBuffer + LineParser over the chunks: the reference the ChunkParser must reproduce */
function reference(
  chunks: readonly Buffer[],
  format: ParseFormat,
  maxLine: number
): { events: string; parsed: number; unparsed: number } {
  const lb = new LineBuffer(maxLine);
  const p = new LineParser(format);
  const events: unknown[] = [];
  const take = (lines: string[]): void => {
    for (const l of lines) {
      const ev = p.parse(l);
      if (ev) events.push(ev);
    }
  };
  for (const c of chunks) take(lb.push(c));
  if (lb.pendingBytes > 0) take(lb.push(Buffer.from("\n")));
  return { events: canon(events), parsed: p.parsed, unparsed: p.unparsed };
}

function chunked(
  chunks: readonly Buffer[],
  format: ParseFormat,
  maxLine: number
): { events: string; parsed: number; unparsed: number } {
  const cp = new ChunkParser(format, maxLine);
  const events: unknown[] = [];
  for (const c of chunks) events.push(...cp.push(c));
  events.push(...cp.flush());
  expect(cp.pendingBytes).toBe(0);
  return { events: canon(events), parsed: cp.parsed, unparsed: cp.unparsed };
}

function cut(bytes: Buffer, points: readonly number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe("ChunkParser", () => {
  it("gives the events and counters of LineBuffer + LineParser for any text cut anywhere, in every format", () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { maxLength: 30 }),
        fc.constantFrom("\n", "\r\n"),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom(...FORMATS),
        fc.constantFrom(1024 * 1024, 64),
        (lines, eol, points, format, maxLine) => {
          const bytes = Buffer.from(lines.join(eol), "utf8");
          const chunks = cut(bytes, points);
          expect(chunked(chunks, format, maxLine)).toEqual(reference(chunks, format, maxLine));
        }
      ),
      { numRuns: 3_000 }
    );
  });

  it("keeps a chunk's bytes to itself: reusing the read buffer does not change held-back lines", () => {
    const cp = new ChunkParser("neox");
    const buf = Buffer.from(`${KNOWN[0]!.slice(0, 50)}`);
    expect(cp.push(buf)).toEqual([]);
    buf.fill(0x41);
    const evs = cp.push(Buffer.from(`${KNOWN[0]!.slice(50)}\n`));
    expect(evs).toEqual([parseLine(KNOWN[0]!)]);
  });

  const realLogs = (): string[] => {
    const dirs = [join(FIXTURES_DIR, "raw"), join(FULL_DIR, "raw")];
    return dirs.flatMap((d) => readdirSync(d).map((f) => join(d, f)));
  };

  it("gives the same events as LineParser on every real log", () => {
    for (const file of realLogs()) {
      const bytes = readFileSync(file);
      const chunks = cut(bytes, [4096, 65536, 100_003]);
      for (const format of FORMATS)
        expect(chunked(chunks, format, 1024 * 1024), `${file} (${format})`).toEqual(
          reference(chunks, format, 1024 * 1024)
        );
    }
  });
});

describe("line prefilter", () => {
  it("passes every line a parser recognises", () => {
    for (const l of KNOWN) {
      if (FORMATS.some((f) => parseLine(l, f) !== null))
        expect(prefilterLine(Buffer.from(l), 0, Buffer.byteLength(l), true), l).toBe("maybe");
    }
  });

  it("only rules out lines that no parser recognises, in any format", () => {
    fc.assert(
      fc.property(lineArb, (line) => {
        const b = Buffer.from(line, "utf8");
        for (const withLlmc of [true, false]) {
          const verdict = prefilterLine(b, 0, b.length, withLlmc);
          if (verdict === "maybe") continue;
          for (const f of FORMATS.filter((x) => withLlmc || (x !== "auto" && x !== "llmc")))
            expect(parseLine(line, f)).toBeNull();
          expect(line.trim() === "").toBe(verdict === "blank");
        }
      }),
      { numRuns: 20_000 }
    );
  });
});

describe("ChunkParser located events and recent lines", () => {
  const text = `chatter\r\n${KNOWN[0]}\n\n${KNOWN[7]}\nmore chatter\nünï\n   \npartial`;
  const bytes = Buffer.from(text);

  it("locates each event past its line, whatever the chunking, and decodes its text on demand", () => {
    for (const cut of [1, 3, 17, 64, bytes.length]) {
      const p = new ChunkParser("auto", undefined, { offset: 1000, recentLines: 3 });
      const got = [];
      for (let i = 0; i < bytes.length; i += cut) got.push(...p.pushLocated(bytes.subarray(i, i + cut)));
      expect(got.map((e) => [e.event.kind, e.end, e.text()])).toEqual([
        ["train", 1000 + Buffer.byteLength(`chatter\r\n${KNOWN[0]}\n`), KNOWN[0]],
        [
          "checkpoint_load_start",
          1000 + Buffer.byteLength(`chatter\r\n${KNOWN[0]}\n\n${KNOWN[7]}\n`),
          KNOWN[7]
        ]
      ]);
      expect(got.map((e) => e.event)).toEqual(new ChunkParser().push(bytes));
      expect(p.recentLines()).toEqual([KNOWN[7], "more chatter", "ünï"]);
    }
  });

  it("forgets recent lines and restarts offsets on reset", () => {
    const p = new ChunkParser("auto", undefined, { recentLines: 2 });
    p.push(Buffer.from("a\nb\n"));
    p.reset(10);
    expect(p.recentLines()).toEqual([]);
    expect(p.pushLocated(Buffer.from(`${KNOWN[8]}\n`))[0]?.end).toBe(10 + KNOWN[8]!.length + 1);
  });
});
