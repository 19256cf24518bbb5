import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadNeoxConfig } from "./load-config.ts";
import { PythonError } from "./python-error.ts";
import { parsePyYaml, PyFloat } from "./pyyaml.ts";

const BASE = `{"num_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "max_position_embeddings": 128,
 "optimizer": {"type": "Adam", "params": {"lr": 0.0001}}, "train_batch_size": 8, "train_micro_batch_size_per_gpu": 1,
 "train_iters": 10, "data_impl": "mmap", "data_path": "/d/x"}`;

function load(files: Record<string, string>, env: NodeJS.ProcessEnv = { NEOX_EMU_LOCAL_GPUS: "8" }) {
  const dir = mkdtempSync(join(tmpdir(), "neox-cfg-"));
  const paths = Object.entries(files).map(([n, t]) => {
    writeFileSync(join(dir, n), t);
    return join(dir, n);
  });
  return { run: () => loadNeoxConfig(paths, {}, { DLTS_HOSTFILE: join(dir, "none"), ...env }), dir };
}

function pyError(f: () => unknown): PythonError {
  try {
    f();
  } catch (e) {
    if (e instanceof PythonError) return e;
    throw e;
  }
  throw new Error("expected a PythonError");
}

describe("PyYAML 1.1 scalars", () => {
  it("keeps 1e-4 and 1.0e4 as strings, 1.0e-4 and 1.0e+4 as floats", () => {
    const d = parsePyYaml(
      "a: 1e-4\nb: 1.0e-4\nc: 1.0e4\nd: 1.0e+4\ne: 100\nf: 100.0\ng: y\n",
      "t.yml"
    ) as Record<string, unknown>;
    expect(d["a"]).toBe("1e-4");
    expect(d["b"]).toEqual(new PyFloat(0.0001));
    expect(d["c"]).toBe("1.0e4");
    expect(d["d"]).toEqual(new PyFloat(10000));
    expect(d["e"]).toBe(100);
    expect(d["f"]).toEqual(new PyFloat(100));
    expect(d["g"]).toBe("y");
  });
});

describe("loadNeoxConfig", () => {
  it("accepts a valid config and derives dp from the device count", () => {
    const cfg = load({ "a.yml": BASE }).run().cfg;
    expect(cfg.dp).toBe(8);
    expect(cfg.lr).toBe(0.0001);
    expect(cfg.decayIters).toBe(10);
  });
  it("derives global_num_gpus from the hostfile slots", () => {
    const { dir } = load({});
    writeFileSync(join(dir, "hosts"), "nid001 slots=4\nnid002 slots=4 # comment\n");
    const t = load(
      {
        "a.yml": BASE.replace(
          '"train_batch_size": 8',
          '"train_batch_size": 16, "gradient_accumulation_steps": 2'
        )
      },
      { DLTS_HOSTFILE: join(dir, "hosts") }
    );
    const cfg = loadNeoxConfig([join(t.dir, "a.yml")], {}, { DLTS_HOSTFILE: join(dir, "hosts") }).cfg;
    expect(cfg.globalNumGpus).toBe(8);
    expect(cfg.gas).toBe(2);
  });
  it("normalises hyphens and catches a duplicate across files", () => {
    expect(
      load({ "a.yml": BASE.replace('"train_iters": 10', '"train-iters": 10') }).run().cfg.trainIters
    ).toBe(10);
    const e = pyError(
      load({ "a.yml": BASE.replace('"train_iters": 10', '"train-iters": 10'), "b.yml": "train_iters: 20\n" })
        .run
    );
    expect(e.pyType).toBe("ValueError");
    expect(e.message).toContain("duplicate keys");
  });
  it.each([
    ["unknown key", '"lr_warmup_iters": 5', "TypeError", "unexpected keyword argument 'lr_warmup_iters'"],
    ["string for a float", '"min_lr": 1e-5', "AttributeError", "__origin__"],
    ["float for an int", '"log_interval": 10.0', "AttributeError", "__origin__"],
    ["bad literal", '"lr_decay_style": "step"', "ValueError", "types cannot be validated"],
    ["min_lr above lr", '"min_lr": 0.001', "ValueError", "values cannot be validated"],
    ["save without checkpoint_factor", '"save": "/ck"', "ValueError", "values cannot be validated"],
    [
      "batch identity",
      '"gradient_accumulation_steps": 2',
      "AssertionError",
      "Check batch related parameters"
    ],
    ["partial data paths", '"train_data_paths": ["/a"]', "ValueError", "values cannot be validated"],
    ["bf16 without zero_optimization", '"precision": "bfloat16"', "TypeError", "not subscriptable"]
  ])("rejects %s", (_name, extra, type, msg) => {
    const e = pyError(load({ "a.yml": BASE.replace("{", `{${extra}, `) }).run);
    expect(e.pyType).toBe(type);
    expect([e.message, ...e.preamble].join("\n")).toContain(msg);
  });
  it("rejects a missing required key", () => {
    const e = pyError(load({ "a.yml": BASE.replace('"num_layers": 2, ', "") }).run);
    expect(e.preamble.join("")).toContain("num_layers");
  });
});
