import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  StepRecordSchema,
  architectureOf,
  decodeMmIndex,
  parseClusterProfile,
  parseRunSpec,
  recordFiles,
  recordPathFor,
  summarizeMmIndex,
  taskIndices,
  verifyStepOutputs
} from "@neoxctl/core";
import type { GraphStep } from "@neoxctl/core";
import { writeHfModelFixture, writeRawCorpus } from "@neoxctl/emulator";
import { planRun, readTokenizerJson, renderRun } from "@neoxctl/plan";
import type { GraphOptions, Plan, RenderedRun } from "@neoxctl/plan";

// The job graph's step scripts run by the real local Slurm cluster with the stand-ins: convert,
// the tokenize array (3 tasks, at most 2 at once), merge (one task per group) after tokenize, and
// export of a checkpoint; every task's record is checked with the supervisor's verification.
const REPO = resolve(import.meta.dirname, "../..");
const root = mkdtempSync("/tmp/neoxctl-graph-");
const runDir = join(root, "run");
const runId = `graph-${root
  .slice(-6)
  .toLowerCase()
  .replace(/[^a-z0-9]/g, "x")}`;
const submitted: string[] = [];
const CORPORA = [
  "mono/eng_Latn",
  "mono/fin_Latn",
  "mono/swh_Latn",
  "mono/sme_Latn",
  "bitext/eng_Latn-swh_Latn"
];

function loadPlan(): { plan: Plan; opts: Omit<GraphOptions, "manifest"> } {
  const text = readFileSync(join(REPO, "examples/local-demo.yaml"), "utf8")
    .replaceAll("/tmp/neoxctl-demo", root)
    .replace("name: local-demo", `name: ${runId}`);
  const spec = parseRunSpec(text, "local-demo.yaml");
  const profile = parseClusterProfile(readFileSync(join(REPO, "clusters/local.yaml"), "utf8"), "local.yaml");
  const plan = planRun({ spec, profile, manifest: spec.data.inline!, repoRoot: REPO, runDir });
  const tokPath = join(root, "hf/llama3-8b/tokenizer.json");
  return { plan, opts: { tokenizer: readTokenizerJson(tokPath, readFileSync(tokPath, "utf8")) } };
}

function write(run: RenderedRun): void {
  for (const [rel, content] of Object.entries(run.files)) {
    mkdirSync(dirname(join(runDir, rel)), { recursive: true });
    writeFileSync(join(runDir, rel), content);
  }
}

function sbatch(script: string, dependency?: string): string {
  const args = [
    "--parsable",
    ...(dependency !== undefined ? [`--dependency=afterok:${dependency}`] : []),
    script
  ];
  const id = execFileSync("sbatch", args, { cwd: runDir, encoding: "utf8" }).trim().split(";")[0]!;
  submitted.push(id);
  return id;
}

/** Final states of a job's tasks (array tasks included), once none is pending or running. */
async function waitDone(jobId: string): Promise<string[]> {
  // bounded so a wedged cluster fails the test instead of hanging it
  for (let i = 0; i < 600; i++) {
    const out = execFileSync("sacct", ["-j", jobId, "-X", "-n", "-P", "-o", "State"], { encoding: "utf8" });
    const states = out.split("\n").filter((l) => l.trim() !== "");
    if (states.length > 0 && states.every((s) => !/PENDING|RUNNING|REQUEUED|COMPLETING|CONFIGURING/.test(s)))
      return states;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`job ${jobId} did not end`);
}

function size(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

function verifyAll(step: GraphStep): string[] {
  return taskIndices(step).flatMap((t) => {
    const rec: unknown = JSON.parse(readFileSync(recordPathFor(step, t), "utf8"));
    const files = recordFiles(StepRecordSchema.parse(rec));
    return verifyStepOutputs(step, t, rec, new Map(files.map((f) => [f, size(f)]))).problems;
  });
}

afterAll(() => {
  for (const id of submitted) spawnSync("scancel", [id]);
});

describe("job graph steps on the local Slurm cluster", () => {
  writeHfModelFixture(join(root, "hf/llama3-8b"), architectureOf("llama3-8b"));
  CORPORA.forEach((c, i) => writeRawCorpus(join(root, "raw", `${c}.jsonl`), 10 + i * 7, i + 1));
  const { plan, opts } = loadPlan();
  const run = renderRun(plan, plan.spec.data.inline!, opts);
  write(run);
  const step = (id: string): GraphStep => run.graph.graph.steps.find((s) => s.id === id)!;

  it("refuses Llama 3's tokenizer with --append-eod as NeoX does, and the plan sets the id explicitly", () => {
    const r = spawnSync(
      "python3",
      [
        join(runDir, "steps/tools/standin/preprocess_data.py"),
        ...["--input", join(root, "raw/mono/eng_Latn.jsonl"), "--output-prefix", join(root, "eod-check")],
        ...[
          "--tokenizer-type",
          "HFTokenizer",
          "--vocab-file",
          join(root, "hf/llama3-8b/tokenizer.json"),
          "--append-eod"
        ]
      ],
      { encoding: "utf8" }
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/TypeError/);
    expect(run.graph.eod).toEqual({
      token: "<|end_of_text|>",
      id: 128001,
      source: "tokenizer.json",
      explicit: true
    });
  });

  it("converts, tokenizes (array) and merges (after tokenize), each task recorded and verified", async () => {
    const convert = sbatch("steps/convert.sbatch");
    const tokenize = sbatch("steps/tokenize.sbatch");
    const merge = sbatch("steps/merge.sbatch", tokenize);
    expect(await waitDone(convert)).toEqual(["COMPLETED"]);
    expect(await waitDone(tokenize)).toEqual(["COMPLETED", "COMPLETED", "COMPLETED"]);
    expect(await waitDone(merge)).toEqual(Array(5).fill("COMPLETED"));
    for (const id of ["convert", "tokenize", "merge"]) expect(verifyAll(step(id)), id).toEqual([]);

    // every merged group holds exactly its members' documents and tokens, with the EOD id appended
    for (const entry of plan.data.entries) {
      const merged = summarizeMmIndex(decodeMmIndex(readFileSync(`${entry.path}.idx`)));
      const members = entry.members.map((m) => summarizeMmIndex(decodeMmIndex(readFileSync(`${m}.idx`))));
      expect(merged.documents).toBe(members.reduce((a, m) => a + m.documents, 0));
      expect(merged.tokens).toBe(members.reduce((a, m) => a + m.tokens, 0));
      expect(merged.dtypeCode).toBe(4); // int32: Llama 3's vocabulary is above 65,500
      const bin = readFileSync(`${entry.path}.bin`);
      expect(bin.readInt32LE(bin.length - 4)).toBe(128001);
    }
    expect(readFileSync(join(root, "init/llama3-8b-neox/tokenizer/tokenizer.json"), "utf8")).toContain(
      "end_of_text"
    );
  });

  it("exports a checkpoint to Hugging Face format", async () => {
    const ckpt = join(plan.spec.checkpointing.save, "global_step300");
    mkdirSync(ckpt, { recursive: true });
    for (const r of ["00", "01"]) writeFileSync(join(ckpt, `mp_rank_${r}_model_states.pt`), "{}");
    const exp = sbatch("steps/export.sbatch");
    expect(await waitDone(exp)).toEqual(["COMPLETED"]);
    expect(verifyAll(step("export"))).toEqual([]);
    const hf = JSON.parse(
      readFileSync(join(step("export").outputs[0]!.path, "config.json"), "utf8")
    ) as Record<string, unknown>;
    expect(hf).toMatchObject({ hidden_size: 4096, num_hidden_layers: 32, num_key_value_heads: 8 });
  });

  it("re-plans with the verified steps skipped, and --from re-runs merge and after", () => {
    const { plan: again, opts: o } = loadPlan();
    const records = new Map<string, unknown>();
    const observed = new Map<string, number | undefined>();
    for (const s of run.graph.graph.steps)
      for (const t of taskIndices(s)) {
        const p = recordPathFor(s, t);
        if (size(p) === undefined) continue;
        const rec: unknown = JSON.parse(readFileSync(p, "utf8"));
        records.set(p, rec);
        for (const f of recordFiles(StepRecordSchema.parse(rec))) observed.set(f, size(f));
      }
    const skipped = renderRun(again, again.spec.data.inline!, { ...o, records, observed });
    expect(skipped.graph.graph.steps.map((s) => [s.id, s.skip])).toEqual([
      ["convert", true],
      ["tokenize", true],
      ["merge", true],
      ["train", false],
      ["export", true]
    ]);
    const from = renderRun(again, again.spec.data.inline!, { ...o, records, observed, from: "merge" });
    expect(from.graph.graph.steps.filter((s) => !s.skip).map((s) => s.id)).toEqual([
      "merge",
      "train",
      "export"
    ]);
    expect(from.planJson["graphSelection"]).toMatchObject({ from: "merge" });
  });

  it("a task whose record still holds does nothing when run again", () => {
    const out = execFileSync("python3", ["steps/tools/neoxctl_step.py", "steps/tokenize.json", "1"], {
      cwd: runDir,
      encoding: "utf8"
    });
    expect(out).toMatch(/tokenize task 1 already done/);
  });

  it("a merge task with a missing member stops for good (exit 3), naming the file", () => {
    const member = plan.data.entries[0]!.members[0]!;
    const job = JSON.parse(readFileSync(join(runDir, "steps/merge.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(
      join(runDir, "steps/merge-bad.json"),
      JSON.stringify({
        ...job,
        id: "merge",
        record: join(runDir, "records/merge-bad.%a.json"),
        tasks: [
          {
            outputs: [
              { path: join(root, "data/merged/bad_text_document"), inputs: [member, `${member}-gone`] }
            ]
          }
        ]
      })
    );
    const r = spawnSync("python3", ["steps/tools/neoxctl_step.py", "steps/merge-bad.json", "0"], {
      cwd: runDir,
      encoding: "utf8"
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`missing input: ${member}-gone.bin, ${member}-gone.idx`);
  });
});
