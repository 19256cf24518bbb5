import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/targets.ts";

const CLI = join(REPO_ROOT, "packages/cli/bin/neoxctl.js");
const demo = readFileSync(join(REPO_ROOT, "examples/local-demo.yaml"), "utf8");
const local = readFileSync(join(REPO_ROOT, "clusters/local.yaml"), "utf8");

/** name → [spec text, profile text]; each must be refused with exit 2 before anything is written. */
const CASES: Record<string, [string, string]> = {
  "newline in partition": [
    demo,
    local.replace("partition: standard-g", 'partition: "standard-g\\ntouch /tmp/neoxctl-pwned"')
  ],
  "command substitution in account": [
    demo.replace('time: "01:00:00"', 'time: "01:00:00"\n  account: "$(touch /tmp/neoxctl-pwned)"'),
    local
  ],
  "backticks in run name": [demo.replace("name: local-demo", 'name: "`id`"'), local],
  "extra directive with a second option": [
    demo,
    local.replace("extra_directives: []", 'extra_directives: ["--comment=x --uid=0"]')
  ],
  "alias bomb": [
    `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n${demo}`,
    local
  ],
  "duplicate key": [`${demo}\nname: other\n`, local],
  "NaN learning rate": [demo.replace("lr: 0.0001", "lr: .nan"), local],
  "huge train_iters": [demo.replace("train_iters: 300", "train_iters: 1e400"), local],
  "ambiguous gpus unit": [demo.replace("size: {nodes: 2}", "size: {gpus: 16}"), local]
};

describe("neoxctl plan with adversarial specs", () => {
  it.each(Object.keys(CASES))("%s: exit 2, a located problem, nothing written", (name) => {
    const [spec, profile] = CASES[name]!;
    const dir = mkdtempSync(join(tmpdir(), "neoxctl-badcli-"));
    writeFileSync(join(dir, "spec.yaml"), spec);
    writeFileSync(join(dir, "cluster.yaml"), profile);
    const out = join(dir, "out");
    for (const json of [false, true]) {
      const r = spawnSync(
        "node",
        [
          CLI,
          "plan",
          join(dir, "spec.yaml"),
          "--cluster",
          join(dir, "cluster.yaml"),
          "--out",
          out,
          ...(json ? ["--json"] : [])
        ],
        {
          cwd: dir,
          encoding: "utf8"
        }
      );
      expect(r.status, r.stderr + r.stdout).toBe(2);
      if (json) {
        const err = (
          JSON.parse(r.stdout) as { error: { code: string; details: { issues: { path: string }[] } } }
        ).error;
        expect(err.code).toMatch(/^SPEC_/);
        expect(err.details.issues.length).toBeGreaterThan(0);
      } else {
        expect(r.stderr).toMatch(/problem/);
      }
      expect(existsSync(out)).toBe(false);
    }
    expect(readdirSync(dir).sort()).toEqual(["cluster.yaml", "spec.yaml"]);
    expect(existsSync("/tmp/neoxctl-pwned")).toBe(false);
  });
});
