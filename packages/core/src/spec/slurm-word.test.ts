import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { SpecError } from "../errors/index.ts";
import { parseClusterProfile, parseRunSpec } from "./parse.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

function issuePaths(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpecError) return err.issues.map((i) => i.path);
    throw err;
  }
  return [];
}

// Regression: these fields used to accept any string and were written unquoted into #SBATCH lines,
// where a line break ended the comment and bash ran the rest of the value as a command.
describe("values written into #SBATCH lines", () => {
  const profile = parse(readFileSync(join(REPO, "clusters/lumi.yaml"), "utf8")) as Record<
    string,
    Record<string, unknown>
  >;
  const spec = parse(readFileSync(join(REPO, "examples/emma500-llama3-8b.yaml"), "utf8")) as Record<
    string,
    Record<string, unknown>
  >;

  it.each(["standard-g\ntouch /tmp/pwned", "a b", "$(id)", "`id`", "x;id", "'q'", ""])(
    "refuses partition/gpus/mem/account %j",
    (bad) => {
      const p = structuredClone(profile);
      p["scheduler"]!["partition"] = bad;
      p["scheduler"]!["gpus_per_node"] = bad;
      p["scheduler"]!["mem"] = bad;
      expect(issuePaths(() => parseClusterProfile(stringify(p), "p.yaml"))).toEqual([
        "scheduler.partition",
        "scheduler.gpus_per_node",
        "scheduler.mem"
      ]);
      const s = structuredClone(spec);
      s["cluster"]!["account"] = bad;
      expect(issuePaths(() => parseRunSpec(stringify(s), "s.yaml"))).toEqual(["cluster.account"]);
    }
  );

  it("still accepts real Slurm names", () => {
    const p = structuredClone(profile);
    p["scheduler"]!["gpus_per_node"] = "mi250:8";
    p["scheduler"]!["mem"] = "480G";
    expect(parseClusterProfile(stringify(p), "p.yaml").scheduler.partition).toBe("standard-g");
    expect(parseRunSpec(stringify(spec), "s.yaml").cluster.account).toBe("project_462000000");
  });
});

describe("extra #SBATCH directives", () => {
  const profile = parse(readFileSync(join(REPO, "clusters/lumi.yaml"), "utf8")) as Record<
    string,
    Record<string, unknown>
  >;
  const paths = (directives: string[]): string[] => {
    const p = structuredClone(profile);
    p["scheduler"]!["extra_directives"] = directives;
    return issuePaths(() => parseClusterProfile(stringify(p), "p.yaml"));
  };

  // regression: a space let one entry carry several sbatch options (`--comment=x --uid=0`)
  it("refuses entries that sbatch would split into several options", () => {
    expect(paths(["--comment=x --uid=0", "--comment='a'", "--constraint=a\\ b", "--comment=x\nid"])).toEqual([
      "scheduler.extra_directives[0]",
      "scheduler.extra_directives[1]",
      "scheduler.extra_directives[2]",
      "scheduler.extra_directives[3]"
    ]);
  });

  it("accepts single options", () => {
    expect(
      paths([
        "--exclusive",
        "--constraint=mi250&hbm",
        "--hint=nomultithread",
        "--comment=$(not-expanded-by-sbatch)"
      ])
    ).toEqual([]);
  });
});
