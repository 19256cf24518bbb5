import fc from "fast-check";
import { describe, expect, it } from "vitest";
const isLossKey = (k: string): boolean => /loss$/.test(k);
import { parseLine } from "./parse-line.ts";
import type { TrainEvent } from "../events.ts";

function train(line: string): TrainEvent {
  const ev = parseLine(line);
  if (ev?.kind !== "train") throw new Error(`not a train line: ${JSON.stringify(ev)}`);
  return ev;
}

describe("a loss is read only from a field named as one", () => {
  it("a Megatron-DeepSpeed line without `lm loss` has no loss, not its seqlen (issue 17)", () => {
    // the shape Megatron-DeepSpeed's training_log prints when the loss dict is empty for the
    // interval (all iterations skipped); `actual seqlen` was taken as the loss (2048)
    const ev = train(
      " iteration      120/  500000 | consumed samples:        61440 | consumed tokens:    125829120 | elapsed time per iteration (ms): 1501.2 | learning rate: 1.200E-04 | global batch size:   512 | loss scale: 65536.0 | grad norm: nan | actual seqlen:  2048 | number of skipped iterations:   1 | number of nan iterations:   1 | samples per second: 341.061 | TFLOPs: 150.22 |"
    );
    expect(ev.format).toBe("megatron");
    expect(ev.loss).toBeNull();
    expect(ev.losses).toEqual({});
    expect(ev.gradNorm).toBeNaN();
  });

  it("keeps every named loss (lm loss, moe loss, mtp_1 loss, load_balancing_loss) and prefers lm loss", () => {
    const ev = train(
      " iteration        4/    5000 | lm loss: 9.1E+00 | moe loss: 1.2E-02 | mtp_1 loss: 9.3E+00 | load_balancing_loss: 1.0E+00 | actual seqlen: 4096 | loss scale: 1.0 |"
    );
    expect(ev.loss).toBe(9.1);
    expect(Object.keys(ev.losses).sort()).toEqual([
      "lm loss",
      "load_balancing_loss",
      "moe loss",
      "mtp_1 loss"
    ]);
  });

  const nonLossKey = fc
    .stringMatching(/^[A-Za-z][A-Za-z0-9_ ]{0,14}[A-Za-z0-9]$/)
    .filter((k) => !isLossKey(k) && k !== "iteration" && !k.startsWith("iteration "));
  const lossKey = fc.constantFrom("lm_loss", "lm loss", "loss", "moe loss", "mtp_1 loss", "kl_loss");
  const value = fc.oneof(
    fc.double({ min: -1e9, max: 1e9, noNaN: true }).map((x) => x.toExponential(6).toUpperCase()),
    fc.integer({ min: 0, max: 100000 }).map(String),
    fc.constantFrom("nan", "NAN", "inf", "-INF")
  );
  const field = fc.oneof(
    fc.tuple(nonLossKey, value).map(([k, v]) => ({ key: k, value: v, loss: false })),
    fc.tuple(lossKey, value).map(([k, v]) => ({ key: k, value: v, loss: true }))
  );

  it("property: no parsed loss ever comes from a field that is not a loss", () => {
    fc.assert(
      fc.property(
        fc.array(field, { maxLength: 8 }),
        fc.constantFrom("", " samples/sec: 8.1 |", " 3: ", "[2025-08-01 09:33:02] "),
        (fields, head) => {
          const body = fields.map((f) => ` ${f.key}: ${f.value} |`).join("");
          const ev = parseLine(`${head} iteration 5/ 10 |${body}`);
          if (ev?.kind !== "train") return;
          const named = new Set(fields.filter((f) => f.loss).map((f) => f.key));
          for (const k of Object.keys(ev.losses)) expect(named.has(k)).toBe(true);
          if (named.size === 0) expect(ev.loss).toBeNull();
          else expect(ev.loss).not.toBeNull();
        }
      )
    );
  });
});

describe("prefixes before a training line", () => {
  const MEGATRON =
    "iteration        4/    5000 | consumed samples:         2048 | elapsed time per iteration (ms): 1620.4 | learning rate: 3.000E-06 | global batch size:   512 | lm loss: 1.061372E+01 | loss scale: 1.0 | grad norm: 10.912 | number of skipped iterations:   0 | number of nan iterations:   0 |";

  it.each([
    ["Megatron-LM's timestamp", `[2025-08-01 09:33:02] ${MEGATRON}`],
    [
      "Python logging asctime - name - level",
      `2025-08-01 09:33:02,123 - megatron.training - INFO - ${MEGATRON}`
    ],
    [
      "DeepSpeed's logger tags",
      `[2025-08-01 09:33:02,123] [INFO] [logging.py:96:log_dist] [Rank 0] ${MEGATRON}`
    ],
    ["basicConfig's LEVEL:name:", `INFO:megatron:${MEGATRON}`],
    ["a pdsh host label", `nid001234: ${MEGATRON}`],
    ["srun --label", ` 12: ${MEGATRON}`],
    ["stacked: host, then timestamp", `nid001234: [2025-08-01 09:33:02] ${MEGATRON}`]
  ])("reads the line behind %s", (_name, line) => {
    const ev = train(line);
    expect(ev).toMatchObject({ format: "megatron", step: 4, totalSteps: 5000, loss: 10.61372 });
  });

  it("a line starting with a loss field keeps it (the host label is not taken for a key)", () => {
    const ev = train("lm_loss: 2.5 | iteration 3/ 10 | samples/sec: 1.0 |");
    expect(ev.loss).toBe(2.5);
  });
});
