import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { SpecError } from "../errors/index.ts";
import { parseClusterProfile, parseRunSpec } from "./parse.ts";
import { parsePlanInput } from "./plan-input.ts";

const REPO = join(import.meta.dirname, "../../../..");
type Json = Record<string, unknown>;
const spec = (): Json => parse(readFileSync(join(REPO, "examples/local-demo.yaml"), "utf8")) as Json;
const lumi = (): Json => parse(readFileSync(join(REPO, "clusters/lumi.yaml"), "utf8")) as Json;

function set(doc: Json, path: (string | number)[], value: unknown): Json {
  let cur = doc as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
  return doc;
}

function issuePaths(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpecError) return err.issues.map((i) => i.path);
    throw err;
  }
  return [];
}

const SPEC_PATHS: (string | number)[][] = [
  ["init", "checkpoint"],
  ["init", "tokenizer"],
  ["checkpointing", "save"],
  ["data", "inline", "data_root"],
  ["data", "valid", 0],
  ["data", "merged_root"]
];
const PROFILE_PATHS: (string | number)[][] = [
  ["launcher", "neox_dir"],
  ["container", "image"],
  ["container", "binds", 0],
  ["node_local_tmp"]
];
const dotted = (p: (string | number)[]): string =>
  p
    .map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`))
    .join("")
    .slice(1);

// Regression (issue 13, finding 1): `checkpointing.save: "-delete"` planned with exit 0 and became an
// option of find; relative paths were resolved against the supervisor's directory.
describe("path fields accept only absolute, normalised paths", () => {
  const BAD = ["-delete", "--help", "ckpt", "./ckpt", "../ckpt", "/a//b", "/a/./b", "/a/../b", "/a/", ""];

  it.each(SPEC_PATHS.flatMap((p) => BAD.map((v) => [dotted(p), p, v] as const)))(
    "run spec %s = %j is refused there",
    (_name, path, value) => {
      const text = stringify(set(spec(), path, value));
      expect(issuePaths(() => parseRunSpec(text, "s.yaml"))).toEqual([dotted(path)]);
    }
  );

  it.each(PROFILE_PATHS.flatMap((p) => BAD.map((v) => [dotted(p), p, v] as const)))(
    "cluster profile %s = %j is refused there",
    (_name, path, value) => {
      const text = stringify(set(lumi(), path, value));
      expect(issuePaths(() => parseClusterProfile(text, "p.yaml"))).toEqual([dotted(path)]);
    }
  );

  it("accepts the examples' paths, a program name, image URIs and bind forms", () => {
    expect(() => parseRunSpec(stringify(spec()), "s.yaml")).not.toThrow();
    const p = lumi();
    set(p, ["launcher", "python"], "python3.12");
    set(p, ["container", "image"], "docker://rocm/pytorch:latest");
    set(p, ["container", "binds"], ["/pfs", "/scratch:/scratch", "/appl:/opt/appl:ro"]);
    expect(() => parseClusterProfile(stringify(p), "p.yaml")).not.toThrow();
  });

  it("refuses an option-looking or relative python, and binds that would split", () => {
    for (const [value, path] of [
      ["-c", ["launcher", "python"]],
      ["bin/python", ["launcher", "python"]],
      ["/a,/b", ["container", "binds", 0]],
      ["/a:/b:rx", ["container", "binds", 0]],
      ["/a:b", ["container", "binds", 0]]
    ] as const) {
      const text = stringify(set(lumi(), [...path], value));
      expect(issuePaths(() => parseClusterProfile(text, "p.yaml"))).toEqual([dotted([...path])]);
    }
  });

  it("takes dataset prefixes relative to data_root, never above it, and absolute without it", () => {
    const ok = set(spec(), ["data", "inline", "datasets", 0, "path"], "mono/x_text_document");
    expect(() => parseRunSpec(stringify(ok), "s.yaml")).not.toThrow();
    for (const bad of ["-x", "../x", "./x", "a//b"]) {
      const doc = set(spec(), ["data", "inline", "datasets", 0, "path"], bad);
      expect(issuePaths(() => parseRunSpec(stringify(doc), "s.yaml"))).toEqual([
        "data.inline.datasets[0].path"
      ]);
    }
    const rootless = spec();
    delete ((rootless["data"] as Json)["inline"] as Json)["data_root"];
    expect(issuePaths(() => parseRunSpec(stringify(rootless), "s.yaml"))).toEqual(
      [0, 1, 2, 3, 4].map((i) => `data.inline.datasets[${i}].path`)
    );
  });

  it("needs absolute SSH key, known_hosts and config files", () => {
    for (const field of ["identity_file", "known_hosts_file", "ssh_config_file"]) {
      const p = set(lumi(), ["access"], { kind: "ssh", host: "lumi", [field]: "-oProxyCommand=x" });
      expect(issuePaths(() => parseClusterProfile(stringify(p), "p.yaml"))).toEqual([`access.${field}`]);
    }
  });
});

// Regression (issue 13, finding 10): zod's records drop an own `__proto__` key without a word, while
// `constructor` was refused with its path.
describe("records refuse __proto__ as they refuse constructor", () => {
  const local = readFileSync(join(REPO, "clusters/local.yaml"), "utf8");

  it.each(["__proto__", "constructor"])("env: {%s: …} is refused with its field path", (key) => {
    const text = local.replace("env: {}", `env:\n  ${key}: "1"\n  OK_NAME: "2"`);
    expect(issuePaths(() => parseClusterProfile(text, "local.yaml"))).toEqual([`env.${key}`]);
  });

  it("sampling factors: {__proto__: …} is refused", () => {
    const text = readFileSync(join(REPO, "examples/local-demo.yaml"), "utf8").replace(
      "factors: {high: 1,",
      "factors: {__proto__: 9, high: 1,"
    );
    expect(issuePaths(() => parseRunSpec(text, "s.yaml"))).toEqual(["data.sampling.factors.__proto__"]);
  });
});

describe("parsePlanInput (a record read back from Redis)", () => {
  const input = (): Json => ({
    spec: parseRunSpec(readFileSync(join(REPO, "examples/local-demo.yaml"), "utf8"), "s.yaml"),
    profile: parseClusterProfile(readFileSync(join(REPO, "clusters/lumi.yaml"), "utf8"), "p.yaml"),
    manifest: { datasets: [{ path: "/d/x_text_document", language: "eng_Latn", tokens: 9, tier: "high" }] },
    runDir: "/scratch/run"
  });

  it("accepts what the schemas produced, after a JSON round trip", () => {
    const raw = JSON.parse(JSON.stringify(input())) as unknown;
    expect(parsePlanInput(raw)).toEqual(input());
  });

  it("names each tampered field, __proto__ keys included", () => {
    const raw = JSON.parse(JSON.stringify(input())) as Json;
    set(raw, ["spec", "checkpointing", "save"], "-delete");
    set(raw, ["profile", "cpu_bind_masks"], ["0x1;touch C", ...Array<string>(7).fill("0x2")]);
    (raw["profile"] as Json)["env"] = JSON.parse('{"__proto__": "x"}') as Json;
    raw["runDir"] = "runs/x";
    expect(issuePaths(() => parsePlanInput(raw))).toEqual([
      "spec.checkpointing.save",
      "profile.cpu_bind_masks[0]",
      "profile.env.__proto__",
      "runDir"
    ]);
  });
});
