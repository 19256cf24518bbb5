import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToPyFloat, NumberScan } from "./byte-numbers.ts";
import { canon } from "../canonical-json.test-support.ts";
import { FastLineState } from "./fast-line-state.ts";
import { fastNeoxTrainLine } from "./fast-train-line.ts";
import { fastTimersLine } from "./fast-timers-line.ts";
import { parsePyFloat } from "../text/numbers.ts";
import { parseLine } from "../text/parse-line.ts";
import type { ParseFormat } from "../text/parse-line.ts";

const FORMATS: readonly ParseFormat[] = ["auto", "neox", "megatron", "llmc"];

/** what the full parser gives for the line in the formats the fast train path serves */
function expectSameAsFull(line: string, fast: unknown): void {
  if (fast === null) return;
  expect(canon(fast)).toBe(canon(parseLine(line, "auto")));
  expect(canon(fast)).toBe(canon(parseLine(line, "neox")));
  expectPlain(fast);
}

/** plain objects like the full parser's (prototype Object.prototype), not instances of some class */
function expectPlain(ev: unknown): void {
  expect(Object.getPrototypeOf(ev)).toBe(Object.prototype);
  for (const v of Object.values(ev as object))
    if (typeof v === "object" && v !== null) expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
}

// ---- generators -------------------------------------------------------------------------------

const pyExp = (x: number, digits: number): string => {
  if (Number.isNaN(x)) return "NAN";
  if (!Number.isFinite(x)) return x > 0 ? "INF" : "-INF";
  const [m, e] = x.toExponential(digits).toUpperCase().split("E") as [string, string];
  const sign = e.startsWith("-") ? "-" : "+";
  return `${m}E${sign}${e.replace(/^[-+]/, "").padStart(2, "0")}`;
};

const finite = fc.double({ min: -1e12, max: 1e12, noNaN: true });
/** numbers as Python and odd writers print them, including non-finite spellings of every case */
const numberText = fc.oneof(
  fc.tuple(finite, fc.integer({ min: 0, max: 9 })).map(([x, d]) => pyExp(x, d)),
  fc
    .tuple(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 6 }))
    .map(([x, d]) => x.toFixed(d)),
  fc.stringMatching(/^[-+]?(\d{1,20}\.?\d{0,20}|\.\d{1,6})([eE][-+]?\d{1,4})?$/),
  fc.constantFrom(
    "NAN",
    "nan",
    "-NAN",
    "+NAN",
    "INF",
    "+INF",
    "-INF",
    "inf",
    "Infinity",
    "-infinity",
    "+INFINITY",
    "1e400",
    "-0.0",
    "0",
    "5.",
    ".5",
    "1e-400"
  ),
  finite.map(String)
);

const pad = (n: number, w: number): string => String(n).padStart(w, " ");
const sp = fc.constantFrom("", " ", " ", " ", "  ", "   ");
const lossKey = fc.oneof(
  fc.constantFrom(
    "lm_loss",
    "kl_loss",
    "loss",
    "chosen_loss",
    "rm_loss",
    "_x",
    "constructor",
    "__proto__",
    "TFLOPs",
    "MFU",
    "iteration",
    "lm loss"
  ),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/)
);

interface TrainParts {
  prefix: string;
  sps: string;
  it: number;
  total: number;
  itW: number;
  ms: string;
  lr: string;
  flops: string;
  mfu: [string, string] | null;
  losses: [string, string][];
  scale: string | null;
  skipped: number;
  nan: number;
  gaps: string[];
  trailingPipe: boolean;
  cr: boolean;
}

const trainParts: fc.Arbitrary<TrainParts> = fc.record({
  prefix: fc.constantFrom("", "", "", "[default0]:", "[default17]:", "0: ", "12: ", "  3: "),
  sps: numberText,
  it: fc.oneof(
    fc.integer({ min: 0, max: 99_999_999 }),
    fc.constantFrom(0, 1, 2 ** 53, 999_999_999_999_999, 9_999_999_999_999_999)
  ),
  total: fc.integer({ min: 0, max: 99_999_999 }),
  itW: fc.constantFrom(0, 8),
  ms: numberText,
  lr: numberText,
  flops: fc.constantFrom("95.7TFLOPS", "1.2PFLOPS", "0.0FLOPS", "312.0GFLOPS"),
  mfu: fc.option(
    fc.tuple(
      numberText.map((s) => `${s}%`),
      numberText.map((s) => `${s}%`)
    ),
    { nil: null }
  ),
  losses: fc.array(fc.tuple(lossKey, numberText), { minLength: 0, maxLength: 4 }),
  scale: fc.option(numberText, { nil: null }),
  skipped: fc.integer({ min: 0, max: 999 }),
  nan: fc.integer({ min: 0, max: 999 }),
  gaps: fc.array(sp, { minLength: 40, maxLength: 40 }),
  trailingPipe: fc.boolean(),
  cr: fc.boolean()
});

/** a NeoX training line as logging.py assembles it, with spacing perturbed at every separator */
function trainLine(t: TrainParts): string {
  let g = 0;
  const gap = (): string => t.gaps[g++ % t.gaps.length] ?? "";
  const field = (k: string, v: string): string => `${gap()}${k}${gap()}:${gap() || " "}${v}${gap()}|`;
  let s = `${t.prefix} samples/sec: ${t.sps} |${gap() || " "}iteration ${pad(t.it, t.itW)}/${gap()}${pad(t.total, t.itW)} |`;
  s +=
    field("elapsed time per iteration (ms)", t.ms) +
    field("learning rate", t.lr) +
    field("approx flops per GPU", t.flops);
  if (t.mfu) s += field("MFU", t.mfu[0]) + field("HFU", t.mfu[1]);
  for (const [k, v] of t.losses) s += field(k, v);
  if (t.scale !== null) s += field("loss scale", t.scale);
  s +=
    field("number of skipped iterations", pad(t.skipped, 3)) +
    field("number of nan iterations", pad(t.nan, 3));
  if (!t.trailingPipe) s = s.replace(/\|$/, "");
  return t.cr ? `${s}\r` : s;
}

/** the four lines of the reference, with the values the generator chooses */
const canonicalTrain = fc
  .record({
    it: fc.integer({ min: 1, max: 99_999_999 }),
    loss: fc.oneof(
      fc.double({ min: 0, max: 20, noNaN: true }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY)
    ),
    lr: fc.double({ min: 0, max: 1e-2, noNaN: true }),
    variant: fc.constantFrom("bf16", "fp16", "mfu", "extra")
  })
  .map(({ it, loss, lr, variant }) => {
    const head = ` samples/sec: 83.252 | iteration ${pad(it, 8)}/${pad(40000, 8)} | elapsed time per iteration (ms): 24600.0 | learning rate: ${pyExp(lr, 3)} | approx flops per GPU: 95.7TFLOPS |`;
    const tail = (s: number, n: number): string =>
      ` number of skipped iterations: ${pad(s, 3)} | number of nan iterations: ${pad(n, 3)} |`;
    switch (variant) {
      case "bf16":
        return `${head} lm_loss: ${pyExp(loss, 6)} |${tail(0, 0)}`;
      case "fp16":
        return `${head} lm_loss: ${pyExp(loss, 6)} | loss scale: 65536.0 |${tail(2, 1)}`;
      case "mfu":
        return `${head} MFU: 30.12% | HFU: 40.16% | lm_loss: ${pyExp(loss, 6)} |${tail(0, 0)}`;
      case "extra":
        return `${head} lm_loss: ${pyExp(loss, 6)} | kl_loss: ${pyExp(loss / 3, 6)} | rm_loss: NAN |${tail(0, 0)}`;
    }
  });

/** one random edit: the kind of damage a half-written or interleaved line shows */
const mangle = (line: string): fc.Arbitrary<string> =>
  fc
    .record({
      at: fc.nat({ max: Math.max(0, line.length) }),
      len: fc.integer({ min: 0, max: 12 }),
      ins: fc.constantFrom(
        "",
        "\t",
        ":",
        "|",
        "é",
        "\u00a0",
        "\r",
        "\v",
        "x",
        "0",
        " ",
        "%",
        "-",
        "E",
        "/",
        "iteration 5/ 10",
        "lm_loss: 1.0",
        "\u0131nf",
        "validation results at iteration 3 | a: 1 |"
      )
    })
    .map(({ at, len, ins }) => line.slice(0, at) + ins + line.slice(at + len));

/**
 * State kept across the lines of a property, as a stream's parser keeps it: the previous accepted
 * line's shape is tried first and names remembered from earlier lines are matched, not re-read.
 */
const shared = new FastLineState();

/**
 * The fast path's reading with fresh state. With state carried over from earlier lines (which may
 * have a similar shape), and again right after the line itself set the shape, it must be the same.
 */
function fastTrain(line: string): ReturnType<typeof fastNeoxTrainLine> {
  const b = Buffer.from(line, "utf8");
  // strip a trailing CR as the chunk splitter does before calling the fast path
  const end = b.length > 0 && b[b.length - 1] === 13 ? b.length - 1 : b.length;
  const fresh = fastNeoxTrainLine(b, 0, end, new FastLineState());
  // inside a larger buffer, as lines are read from a chunk (word compares must stay within the line)
  const wide = Buffer.concat([
    Buffer.from("xxxxxxx\n"),
    b,
    Buffer.from("\nlm_loss: 1.0 | samples/sec: 1 | time (ms) |")
  ]);
  for (let i = 0; i < 2; i++) expect(canon(fastNeoxTrainLine(wide, 8, 8 + end, shared))).toBe(canon(fresh));
  return fresh;
}

function fastTimers(line: string): ReturnType<typeof fastTimersLine> {
  const b = Buffer.from(line, "utf8");
  const fresh = fastTimersLine(b, 0, b.length, new FastLineState());
  const wide = Buffer.concat([
    Buffer.from("time (ms) | forward: 1\n"),
    b,
    Buffer.from("\n| forward: 2 | backward: 3")
  ]);
  for (let i = 0; i < 2; i++)
    expect(canon(fastTimersLine(wide, 23, 23 + b.length, shared))).toBe(canon(fresh));
  return fresh;
}

// ---- properties -------------------------------------------------------------------------------

describe("bytesToPyFloat", () => {
  it("agrees with parsePyFloat on every token it accepts, and accepts every clean token parsePyFloat does", () => {
    fc.assert(
      fc.property(fc.oneof(numberText, fc.string({ maxLength: 12 })), (tok) => {
        const b = Buffer.from(tok, "utf8");
        const fast = bytesToPyFloat(b, 0, b.length);
        const slow = parsePyFloat(tok);
        if (fast !== undefined) expect(Object.is(fast, slow)).toBe(true);
        else if (/^[\x21-\x7e]+$/.test(tok)) expect(slow).toBeNull();
      }),
      { numRuns: 20_000 }
    );
  });
});

/** the reading NumberScan fuses into one pass: find the token's end, check what follows, then convert the token */
function tokenFirst(b: Buffer, percent: boolean): { value: number; end: number } | null {
  let p = 0;
  while (p < b.length && b[p]! > 0x20 && b[p]! <= 0x7e && b[p] !== 0x7c && b[p] !== 0x3a) p++;
  if (p < b.length && b[p] !== 0x20 && b[p] !== 0x7c) return null;
  const v = bytesToPyFloat(b, 0, percent && p > 0 && b[p - 1] === 0x25 ? p - 1 : p);
  return v === undefined ? null : { value: v, end: p };
}

describe("NumberScan", () => {
  it("reads a value in one pass exactly as finding its token first and converting it does", () => {
    const after = fc.constantFrom(
      "",
      " ",
      "|",
      " |",
      "x",
      ":",
      "\t",
      "%",
      "% |",
      "%%",
      "e",
      ".",
      "5",
      "\u00e9"
    );
    fc.assert(
      fc.property(
        fc.oneof(numberText, fc.string({ maxLength: 12 })),
        after,
        fc.boolean(),
        (tok, rest, percent) => {
          const b = Buffer.from(tok + rest, "utf8");
          const scan = new NumberScan();
          const end = scan.float(b, 0, b.length, percent);
          const ref = tokenFirst(b, percent);
          if (ref === null) expect(end).toBe(-1);
          else
            expect([end, Object.is(scan.value, ref.value) ? "same" : scan.value]).toEqual([ref.end, "same"]);
        }
      ),
      { numRuns: 20_000 }
    );
  });
});

describe("NeoX training line fast path", () => {
  it("accepts every reference variant (bf16 NAN/INF, fp16 scale and counters, MFU/HFU, extra loss keys) and gives the full parser's event", () => {
    fc.assert(
      fc.property(canonicalTrain, (line) => {
        const fast = fastTrain(line);
        expect(fast).not.toBeNull();
        expectSameAsFull(line, fast);
      }),
      { numRuns: 3_000 }
    );
  });

  it("gives the full parser's event for generated lines with odd spacing, prefixes and values, or declines", () => {
    let accepted = 0;
    fc.assert(
      fc.property(trainParts, (t) => {
        const line = trainLine(t);
        const fast = fastTrain(line);
        if (fast) accepted++;
        expectSameAsFull(line.replace(/\r$/, ""), fast);
      }),
      { numRuns: 10_000 }
    );
    // the property is not vacuous: most generated lines are read by the fast path
    expect(accepted).toBeGreaterThan(1_000);
  });

  it("declines or agrees on mangled lines, never mis-parses", () => {
    fc.assert(
      fc.property(
        fc
          .oneof(canonicalTrain, trainParts.map(trainLine))
          .chain((l) => fc.tuple(fc.constant(l), mangle(l)))
          .chain(([, m]) => fc.tuple(fc.constant(m), mangle(m))),
        ([once, twice]) => {
          for (const line of [once, twice]) expectSameAsFull(line.replace(/\r$/, ""), fastTrain(line));
        }
      ),
      { numRuns: 20_000 }
    );
  });
});

const timerName = fc.oneof(
  fc.constantFrom(
    "forward",
    "backward",
    "backward-backward",
    "backward-allreduce",
    "optimizer",
    "batch generator",
    "__proto__",
    "constructor",
    "12",
    "validation results at the end of training",
    "a b"
  ),
  fc.stringMatching(/^[a-z][a-z -]{0,15}$/)
);
const timersLineArb = fc
  .record({
    prefix: fc.constantFrom("", "[default0]:", "0: ", "  "),
    parts: fc.array(fc.tuple(timerName, numberText, sp, sp), { maxLength: 7 }),
    lead: sp,
    tail: fc.constantFrom("", " |", "|", " ")
  })
  .map(
    ({ prefix, parts, lead, tail }) =>
      `${prefix}${lead}time (ms)${parts.map(([k, v, a, b]) => ` |${a}${k}:${b || " "}${v}`).join("")}${tail}`
  );

describe("timers line fast path", () => {
  it("accepts NeoX's timers line", () => {
    const line =
      "time (ms) | forward: 5123.45 | backward: 11234.56 | backward-backward: 11200.12 | backward-allreduce: 0.00 | optimizer: 812.34 | batch generator: 12.34";
    const b = Buffer.from(line);
    expect(canon(fastTimers(line))).toBe(canon(parseLine(line, "neox")));
    expectPlain(fastTimers(line));
    expect(fastTimers(line)).toEqual(fastTimersLine(b, 0, b.length, new FastLineState()));
    expect(fastTimers("time (ms)")).toEqual({ kind: "timers", timersMs: {} });
  });

  it("gives the full parser's event for generated and mangled timers lines, or declines", () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        timersLineArb.chain((l) => fc.tuple(fc.constant(l), mangle(l))),
        ([line, mangled]) => {
          for (const l of [line, mangled]) {
            const fast = fastTimers(l);
            if (fast === null) continue;
            accepted++;
            expectPlain(fast);
            for (const f of FORMATS.filter((x) => x !== "llmc"))
              expect(canon(fast)).toBe(canon(parseLine(l, f)));
          }
        }
      ),
      { numRuns: 10_000 }
    );
    expect(accepted).toBeGreaterThan(1_000);
  });
});
