import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { SpecError, parseClusterProfile, parseRunSpec } from "@neoxctl/core";
import { remoteCommandLine } from "@neoxctl/exec";
import { listingCommand } from "@neoxctl/monitor";
import { planRun, renderAttempt } from "@neoxctl/plan";
import type { Plan } from "@neoxctl/plan";
import { SlurmClient } from "@neoxctl/slurm";
import { REPO_ROOT } from "../support/targets.ts";
import { openRoundTrip, renderFromRedis } from "./redis-roundtrip.ts";
import type { RoundTrip } from "./redis-roundtrip.ts";

// Issue 13, finding 1: a path field holding `-delete` became an option of find, and relative paths were
// resolved against whichever process used them. Every path field and every command built from one is
// fed option-looking and relative values here.
const RUNS = process.env.NEOXCTL_LONG_TESTS === "1" ? 2_000 : 200;
const SEED = Number(process.env.NEOXCTL_FUZZ_SEED ?? 8_0001);

type Json = Record<string, unknown>;
type Key = string | number;
const read = (rel: string): Json => parse(readFileSync(join(REPO_ROOT, rel), "utf8")) as Json;
const baseSpec = read("examples/local-demo.yaml");
(baseSpec["cluster"] as Json)["account"] = "project_462000000";
const baseProfile = read("clusters/lumi.yaml");

function set(doc: Json, path: readonly Key[], value: unknown): Json {
  const out = structuredClone(doc);
  let cur = out as Record<Key, unknown>;
  path.slice(0, -1).forEach((k, i) => {
    cur = (cur[k] ??= typeof path[i + 1] === "number" ? [] : {}) as Record<Key, unknown>;
  });
  cur[path[path.length - 1]!] = value;
  return out;
}

const dotted = (p: readonly Key[]): string =>
  p
    .map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`))
    .join("")
    .slice(1);

/** Path fields of the run spec and the cluster profile. `bare` fields also take a relative value, by design. */
const FIELDS: { doc: "spec" | "profile"; path: Key[]; bare?: "program" | "below-root" }[] = [
  { doc: "spec", path: ["init", "checkpoint"] },
  { doc: "spec", path: ["init", "tokenizer"] },
  { doc: "spec", path: ["checkpointing", "save"] },
  { doc: "spec", path: ["data", "inline", "data_root"] },
  { doc: "spec", path: ["data", "inline", "datasets", 0, "path"], bare: "below-root" },
  { doc: "spec", path: ["data", "valid", 0] },
  { doc: "spec", path: ["data", "test", 0] },
  { doc: "spec", path: ["data", "merged_root"] },
  { doc: "profile", path: ["launcher", "neox_dir"] },
  { doc: "profile", path: ["launcher", "python"], bare: "program" },
  { doc: "profile", path: ["container", "image"] },
  { doc: "profile", path: ["container", "binds", 0] },
  { doc: "profile", path: ["node_local_tmp"] },
  { doc: "profile", path: ["access", "identity_file"] },
  { doc: "profile", path: ["access", "known_hosts_file"] },
  { doc: "profile", path: ["access", "ssh_config_file"] }
];

const optionLooking = fc.oneof(
  fc.constantFrom("-delete", "--help", "-rf", "-exec", "-oProxyCommand=touch C", "--wrap=id", "-"),
  fc.tuple(fc.constantFrom("-", "--"), fc.string({ maxLength: 24 })).map(([a, b]) => a + b)
);
const relative = fc.oneof(
  fc.constantFrom("ckpt", "./ckpt", "../ckpt", "runs/x", "~/ckpt", ".", "..", "", "a//b", "a/"),
  fc.string({ maxLength: 24 }).filter((s) => !s.startsWith("/") && !s.startsWith("-"))
);
const KINDS = { optionLooking, relative } as const;
type Kind = keyof typeof KINDS;

interface Count {
  tried: number;
  refused: number;
  /** accepted only where the field takes a bare value by design (a program name, a prefix below data_root) */
  acceptedBare: number;
}
const counts: Record<string, Record<Kind, Count>> = {};
const count = (field: string, kind: Kind): Count =>
  ((counts[field] ??= {
    optionLooking: { tried: 0, refused: 0, acceptedBare: 0 },
    relative: { tried: 0, refused: 0, acceptedBare: 0 }
  })[kind] ??= { tried: 0, refused: 0, acceptedBare: 0 });

function refusedAt(fn: () => unknown): string[] | null {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpecError) return err.issues.map((i) => i.path);
    throw err;
  }
  return null;
}

async function refusedAtAsync(fn: () => Promise<unknown>): Promise<string[] | null> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof SpecError) return err.issues.map((i) => i.path);
    throw err;
  }
  return null;
}

function parseDocs(spec: Json, profile: Json): void {
  parseRunSpec(stringify(spec), "spec.yaml");
  parseClusterProfile(stringify(profile), "profile.yaml");
}

const accessProfile = set(baseProfile, ["access"], { kind: "ssh", host: "lumi.csc.fi" });

let rt: RoundTrip;
beforeAll(async () => {
  rt = await openRoundTrip("path-options");
});
afterAll(async () => rt.cleanup());

describe("every path field refuses option-looking and relative values", () => {
  for (const field of FIELDS) {
    const name = `${field.doc}.${dotted(field.path)}`;
    for (const kind of Object.keys(KINDS) as Kind[]) {
      it(`${name}: ${kind} (${RUNS} values)`, () => {
        const profileBase = field.path[0] === "access" ? accessProfile : baseProfile;
        fc.assert(
          fc.property(KINDS[kind], (value) => {
            const c = count(name, kind);
            c.tried++;
            const spec = field.doc === "spec" ? set(baseSpec, field.path, value) : baseSpec;
            const profile = field.doc === "profile" ? set(profileBase, field.path, value) : profileBase;
            const at = refusedAt(() => parseDocs(spec, profile));
            if (at !== null) {
              expect(at).toEqual([dotted(field.path)]);
              c.refused++;
              return;
            }
            // accepted: only a bare program name, or a clean prefix below data_root
            expect(kind).toBe("relative");
            if (field.bare === "program") expect(value).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/);
            else if (field.bare === "below-root")
              expect(value.split("/").every((s) => s !== "" && s !== "." && s !== "..")).toBe(true);
            else throw new Error(`${name} accepted ${JSON.stringify(value)}`);
            c.acceptedBare++;
          }),
          { numRuns: RUNS, seed: SEED }
        );
      });
    }
  }
});

describe("planInput read back from Redis: the same values are refused when the supervisor renders", () => {
  const good = {
    spec: parseRunSpec(stringify(baseSpec), "spec.yaml"),
    profile: parseClusterProfile(stringify(baseProfile), "lumi.yaml")
  };
  const stored = JSON.parse(JSON.stringify({ ...good, manifest: good.spec.data.inline })) as Json;
  const runs = Math.max(10, RUNS / 10);
  for (const field of FIELDS.filter((f) => f.path[0] !== "access" && f.bare === undefined)) {
    const path = [field.doc, ...field.path];
    it(`${dotted(path)} (${2 * runs} values)`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(optionLooking, relative), async (value) => {
          const input = set(stored, path, value);
          const at = await refusedAtAsync(() =>
            renderFromRedis(rt, input, {
              runId: "path-options",
              runDir: "/scratch/runs/x",
              index: 2,
              params: { load: { kind: "resume" }, lr: good.spec.training.lr, seed: 1, excludeNodes: [] }
            })
          );
          expect(at).toContain(dotted(path));
        }),
        { numRuns: 2 * runs, seed: SEED + 1 }
      );
    });
  }

  it(`a run directory that is not absolute (${runs} values)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(optionLooking, relative), async (runDir) => {
        const at = await refusedAtAsync(() =>
          renderFromRedis(rt, stored, {
            runId: "path-options",
            runDir,
            index: 2,
            params: { load: { kind: "resume" }, lr: good.spec.training.lr, seed: 1, excludeNodes: [] }
          })
        );
        expect(at).toEqual(["runDir"]);
      }),
      { numRuns: runs, seed: SEED + 2 }
    );
  });
});

describe("every command built from a path keeps it from being read as an option", () => {
  const anyBad = fc.oneof(optionLooking, relative);

  it(`find (checkpoint listing): refused before anything runs (${RUNS} values)`, () => {
    fc.assert(
      fc.property(anyBad, (save) => {
        expect(refusedAt(() => listingCommand(save))).toEqual(["checkpointing.save"]);
      }),
      { numRuns: RUNS, seed: SEED + 3 }
    );
    const ok = listingCommand("/scratch/ckpt");
    expect([ok.argv.slice(0, 2), ok.cwd]).toEqual([["find", "/scratch/ckpt"], "/"]);
  });

  it(`sbatch: the script path comes after -- (${RUNS} values)`, () => {
    const client = new SlurmClient({} as never);
    fc.assert(
      fc.property(anyBad, (scriptPath) => {
        const argv = client.submitArgv({ scriptPath, runId: "r", attempt: 1, cwd: "/scratch/runs/x" });
        expect(argv.slice(-2)).toEqual(["--", scriptPath]);
        expect(argv.indexOf("--")).toBe(argv.length - 2);
      }),
      { numRuns: RUNS, seed: SEED + 4 }
    );
  });

  it(`remote command line: the working directory after cd -- (${RUNS} values)`, () => {
    fc.assert(
      fc.property(anyBad, (cwd) => {
        fc.pre(!cwd.includes("\0"));
        expect(remoteCommandLine(["true"], { cwd }).startsWith("cd -- '")).toBe(true);
      }),
      { numRuns: RUNS, seed: SEED + 5 }
    );
  });

  // the batch script: a plan whose values skipped the schemas (the renderer's own guard)
  const plan = planRun({
    spec: parseRunSpec(stringify(baseSpec), "spec.yaml"),
    profile: parseClusterProfile(stringify(baseProfile), "lumi.yaml"),
    manifest: parseRunSpec(stringify(baseSpec), "spec.yaml").data.inline!,
    runDir: "/scratch/runs/x"
  });
  const forced: [string, (p: Plan, v: string) => Plan][] = [
    ["runDir", (p, v) => ({ ...p, runDir: v })],
    ["repoRoot", (p, v) => ({ ...p, repoRoot: v })],
    ["node_local_tmp", (p, v) => ({ ...p, profile: { ...p.profile, node_local_tmp: v } })],
    [
      "launcher.neox_dir",
      (p, v) => ({
        ...p,
        profile: { ...p.profile, launcher: { kind: "deepy", neox_dir: v, python: "python" } }
      })
    ],
    [
      "container.image",
      (p, v) => ({ ...p, profile: { ...p.profile, container: { kind: "singularity", image: v, binds: [] } } })
    ],
    [
      "container.binds[0]",
      (p, v) => ({
        ...p,
        profile: { ...p.profile, container: { kind: "singularity", image: "/i.sif", binds: [v] } }
      })
    ]
  ];
  for (const [field, edit] of forced) {
    it(`job.sbatch: ${field} refused by the renderer's guard (${RUNS} values)`, () => {
      fc.assert(
        fc.property(anyBad, (value) => {
          const at = refusedAt(() =>
            renderAttempt(edit(plan, value), {
              index: 2,
              runId: "r",
              load: { kind: "resume" },
              excludeNodes: []
            })
          );
          expect(at).toContain(field);
          const c = count(`job.sbatch ${field}`, value.startsWith("-") ? "optionLooking" : "relative");
          c.tried++;
          c.refused++;
        }),
        { numRuns: RUNS, seed: SEED + 6 }
      );
    });
  }

  it("records the counts", () => {
    const dir = join(REPO_ROOT, "test-results", "reliability");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "path-options.json"),
      JSON.stringify({ seed: SEED, runs: RUNS, counts }, null, 2) + "\n"
    );
    for (const [field, byKind] of Object.entries(counts))
      for (const c of Object.values(byKind)) expect(c.refused + c.acceptedBare, field).toBe(c.tried);
  });
});
