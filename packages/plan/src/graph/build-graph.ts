import { JobGraphSchema, SpecError, recordPathFor, taskIndices, verifyStepOutputs } from "@neoxctl/core";
import type { DataManifest, GraphOutput, GraphStep, JobGraph, SpecIssue } from "@neoxctl/core";
import type { Plan } from "../types.ts";
import { buildNeoxConfigs, mergeNeoxConfigs } from "../neox-config.ts";
import { renderNeoxYaml } from "../neox-yaml.ts";
import { templateText } from "../templates/template-files.ts";
import { chooseEod } from "./eod.ts";
import type { EodChoice, TokenizerInfo } from "./eod.ts";
import { STEP_ENV, STEP_TOOL, renderStepEnv, renderStepScript } from "./step-script.ts";

export interface GraphOptions {
  /** the parsed data manifest (raw corpus sources live there) */
  manifest: DataManifest;
  /** the tokenizer.json plan could read (else the spec's init.eod is needed) */
  tokenizer?: TokenizerInfo;
  /** step records read back (record path → JSON); undefined when plan cannot see the cluster's files */
  records?: ReadonlyMap<string, unknown>;
  /** sizes of the files those records list, as seen now (path → bytes, undefined = missing) */
  observed?: ReadonlyMap<string, number | undefined>;
  /** whether a file exists on the cluster; given only when plan sees the cluster's files */
  exists?: (path: string) => boolean;
  /** re-run this step and everything after it */
  from?: string;
  /** run this step only */
  only?: string;
}

export interface GraphSelection {
  from?: string;
  only?: string;
  /** steps that will not run, and why */
  skipped: { id: string; reason: string }[];
}

export interface MergeCost {
  groups: number;
  /** bytes of the largest group: what changing a weight inside it rewrites */
  largestGroupBytes: number;
  largestGroup: string;
  allGroupsBytes: number;
}

export interface GraphPlan {
  graph: JobGraph;
  /** files relative to the run directory */
  files: Record<string, string>;
  eod?: EodChoice;
  selection: GraphSelection;
  merge?: MergeCost;
}

const DOC_SUFFIX = "_text_document";

function resolve(root: string | undefined, p: string): string {
  return p.startsWith("/") || root === undefined ? p : `${root.replace(/\/+$/, "")}/${p}`;
}

interface TaskSpec {
  outputs: { path: string; inputs: string[] }[];
}

interface StepDraft {
  step: Omit<GraphStep, "skip">;
  tasks: TaskSpec[];
  tool: Record<string, unknown>;
}

function chunk<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

function hfExpect(plan: Plan): Record<string, number> {
  const a = plan.arch;
  return {
    hidden_size: a.hidden_size,
    num_hidden_layers: a.num_layers,
    num_attention_heads: a.num_attention_heads,
    num_key_value_heads: a.num_kv_heads,
    intermediate_size: a.intermediate_size
  };
}

/** The programs each tool runs with, by the profile's tool set. */
function programs(
  plan: Plan,
  eod: EodChoice | undefined,
  issues: SpecIssue[]
): {
  python: string;
  tokenize: string[];
  convert: string[];
  export: string[];
} {
  const p = plan.profile;
  const run = plan.runDir ?? "";
  const tools = p.steps.tools ?? (p.launcher.kind === "deepy" ? "neox" : "standin");
  const patch = (target: string[]): string[] =>
    eod?.explicit === true
      ? [`${run}/steps/tools/preprocess_eod.py`, "--eod-id", String(eod.id), ...target, "--"]
      : [];
  if (tools === "neox") {
    if (p.launcher.kind !== "deepy") {
      issues.push({
        path: "cluster.profile.steps.tools",
        received: "neox",
        rule: "needs a deepy launcher (launcher.neox_dir holds NeoX's tools)"
      });
      return { python: p.steps.python, tokenize: [], convert: [], export: [] };
    }
    const neox = p.launcher.neox_dir.replace(/\/+$/, "");
    const py = p.launcher.python;
    const pre = patch(["--neox-dir", neox]);
    return {
      python: py,
      tokenize: pre.length > 0 ? [py, ...pre] : [py, `${neox}/tools/datasets/preprocess_data.py`],
      convert: [py, `${neox}/tools/ckpts/convert_hf_llama_to_neox.py`],
      export: [py, `${neox}/tools/ckpts/convert_neox_to_hf.py`]
    };
  }
  if (plan.repoRoot === null) {
    issues.push({
      path: "cluster.profile.steps.tools",
      received: "standin",
      rule: "needs the neoxctl checkout (repoRoot) where the stand-ins live"
    });
  }
  const py = p.steps.python;
  const standin = `${run}/steps/tools/standin/preprocess_data.py`;
  const pre = patch(["--standin", standin]);
  const bin = `${plan.repoRoot ?? ""}/packages/emulator/bin`;
  return {
    python: py,
    tokenize: pre.length > 0 ? [py, ...pre] : [py, standin],
    convert: ["node", `${bin}/convert-hf-llama.js`],
    export: ["node", `${bin}/export-hf.js`]
  };
}

function draftSteps(
  plan: Plan,
  opts: GraphOptions,
  issues: SpecIssue[]
): { drafts: StepDraft[]; eod?: EodChoice; merge?: MergeCost } {
  const run = plan.runDir!;
  const spec = plan.spec;
  const prof = plan.profile.steps;
  const cpu = prof.cpu_partition ?? plan.profile.scheduler.partition;
  const gpu = prof.gpu_partition ?? cpu;
  const retry = { maxAttempts: prof.max_attempts };
  const record = (id: string, array: boolean): string => `${run}/records/${id}${array ? ".%a" : ""}.json`;
  const drafts: StepDraft[] = [];
  const m = opts.manifest;
  const bytesPerToken = plan.arch.vocab_size < 65500 ? 2 : 4;

  // convert: HF → NeoX for the run's tp
  const tp = plan.layout.tp;
  if (spec.init.hf_model !== undefined) {
    drafts.push({
      step: {
        id: "convert",
        kind: "convert",
        script: "steps/convert.sbatch",
        dependsOn: [],
        partition: gpu,
        outputs: [{ path: spec.init.checkpoint, kind: "neox_checkpoint" }],
        record: record("convert", false),
        retry
      },
      tasks: [{ outputs: [{ path: spec.init.checkpoint, inputs: [spec.init.hf_model] }] }],
      tool: { tp, expect: { ...hfExpect(plan), vocab_size: plan.arch.vocab_size } }
    });
  }

  // tokenize: one array task per batch of raw corpora
  const toTokenize = m.datasets
    .map((d, i) => ({ d, i, prefix: resolve(m.data_root, d.path) }))
    .filter((x) => x.d.source !== undefined);
  let eod: EodChoice | undefined;
  if (toTokenize.length > 0) {
    const chosen = chooseEod(spec, opts.tokenizer);
    issues.push(...chosen.issues);
    eod = chosen.eod;
    for (const x of toTokenize)
      if (!x.prefix.endsWith(DOC_SUFFIX))
        issues.push({
          path: `data.manifest.datasets.${x.i}.path`,
          received: x.d.path,
          rule: `must end with ${DOC_SUFFIX}: preprocess_data.py writes <output-prefix>${DOC_SUFFIX}.bin/.idx for the key "text"`
        });
    const batches = chunk(toTokenize, prof.batch_size);
    const outputs: GraphOutput[] = batches.flatMap((b, task) =>
      b.map((x) => ({ path: x.prefix, kind: "neox_prefix" as const, task }))
    );
    drafts.push({
      step: {
        id: "tokenize",
        kind: "tokenize",
        script: "steps/tokenize.sbatch",
        dependsOn: [],
        partition: cpu,
        array: { tasks: batches.length, maxConcurrent: Math.min(prof.max_concurrent, batches.length) },
        outputs,
        record: record("tokenize", true),
        retry
      },
      tasks: batches.map((b) => ({
        outputs: b.map((x) => ({ path: x.prefix, inputs: x.d.source!.map((s) => resolve(m.raw_root, s)) }))
      })),
      // the HF model's tokenizer exists before convert writes init.tokenizer: no edge needed
      tool: {
        tokenizer:
          opts.tokenizer?.path ??
          (spec.init.hf_model !== undefined ? `${spec.init.hf_model}/tokenizer.json` : spec.init.tokenizer),
        workers: prof.cpus_per_task
      }
    });
  }
  const tokenized = new Set(toTokenize.map((x) => x.prefix));

  // merge: one task per group the blend references
  const groups = plan.data.entries.filter((e) => plan.data.grouping !== "none" && e.members.length > 0);
  let merge: MergeCost | undefined;
  if (groups.length > 0) {
    const all = new Set(plan.data.datasets.map((d) => d.path));
    const seen = new Set<string>();
    for (const g of groups) {
      if (all.has(g.path) || seen.has(g.path))
        issues.push({
          path: "data.merged_root",
          received: g.path,
          rule: "the merged prefix of a group is also a dataset or another group's prefix: the merge would overwrite its input"
        });
      seen.add(g.path);
      if (opts.exists !== undefined)
        for (const member of g.members) {
          if (tokenized.has(member)) continue;
          const missing = [".bin", ".idx"].map((e) => member + e).filter((f) => !opts.exists!(f));
          if (missing.length > 0) {
            const i = plan.data.datasets.findIndex((d) => d.path === member);
            issues.push({
              path: `data.manifest.datasets.${i}.path`,
              received: member,
              rule: `is a member of group ${g.id} but ${missing.join(" and ")} do not exist, and no tokenize step writes it (give it a source)`
            });
          }
        }
    }
    const bytes = groups.map((g) => g.tokens * bytesPerToken);
    const largest = bytes.indexOf(Math.max(...bytes));
    merge = {
      groups: groups.length,
      largestGroupBytes: bytes[largest]!,
      largestGroup: groups[largest]!.id,
      allGroupsBytes: bytes.reduce((a, b) => a + b, 0)
    };
    drafts.push({
      step: {
        id: "merge",
        kind: "merge",
        script: "steps/merge.sbatch",
        dependsOn: toTokenize.length > 0 ? ["tokenize"] : [],
        partition: cpu,
        array: { tasks: groups.length, maxConcurrent: Math.min(prof.max_concurrent, groups.length) },
        outputs: groups.map((g, task) => ({ path: g.path, kind: "neox_prefix" as const, task })),
        record: record("merge", true),
        retry
      },
      tasks: groups.map((g) => ({ outputs: [{ path: g.path, inputs: g.members }] })),
      tool: {}
    });
  }

  // train: the existing attempts, after everything its inputs come from
  const ids = drafts.map((d) => d.step.id);
  drafts.push({
    step: {
      id: "train",
      kind: "train",
      dependsOn: ids.filter((id) => id !== "tokenize" || !ids.includes("merge")),
      partition: plan.profile.scheduler.partition,
      outputs: [{ path: spec.checkpointing.save, kind: "neox_checkpoint" }],
      record: record("train", false),
      // the attempts' own recovery budgets govern training; this is their sum plus the first try
      retry: {
        maxAttempts: 1 + Object.values(plan.spec.resilience.budgets).reduce((a, b) => a + b, 0)
      }
    },
    tasks: [],
    tool: {}
  });

  // export: NeoX → HF for the final checkpoint and the iterations the spec names
  const iters = [...new Set([...spec.export.iterations, spec.training.train_iters])].sort((a, b) => a - b);
  const factor = spec.checkpointing.checkpoint_factor;
  const saves = Array.from(
    { length: Math.floor(spec.training.train_iters / factor) },
    (_, i) => (i + 1) * factor
  );
  if (!saves.includes(spec.training.train_iters)) saves.push(spec.training.train_iters);
  const kept =
    spec.checkpointing.keep_last_n !== undefined ? saves.slice(-spec.checkpointing.keep_last_n) : saves;
  spec.export.iterations.forEach((it, i) => {
    if (!saves.includes(it))
      issues.push({
        path: `export.iterations.${i}`,
        received: String(it),
        rule: `is not a checkpoint the run saves (every ${factor} steps and at ${spec.training.train_iters})`
      });
    else if (!kept.includes(it))
      issues.push({
        path: `export.iterations.${i}`,
        received: String(it),
        rule: `is deleted before export by checkpointing.keep_last_n ${spec.checkpointing.keep_last_n} (kept: ${kept.join(", ")})`
      });
  });
  const root = spec.export.root ?? `${spec.checkpointing.save}/hf`;
  drafts.push({
    step: {
      id: "export",
      kind: "export",
      script: "steps/export.sbatch",
      dependsOn: ["train"],
      partition: gpu,
      array: { tasks: iters.length, maxConcurrent: Math.min(prof.max_concurrent, iters.length) },
      outputs: iters.map((it, task) => ({
        path: `${root}/global_step${it}`,
        kind: "hf_checkpoint" as const,
        task
      })),
      record: record("export", true),
      retry
    },
    tasks: iters.map((it) => ({
      outputs: [{ path: `${root}/global_step${it}`, inputs: [`${spec.checkpointing.save}/global_step${it}`] }]
    })),
    tool: {
      config: `${run}/steps/export-config.yml`,
      precision: spec.precision === "fp32" ? "fp32" : spec.precision,
      expect: hfExpect(plan)
    }
  });
  return { drafts, ...(eod !== undefined ? { eod } : {}), ...(merge !== undefined ? { merge } : {}) };
}

function verified(step: Omit<GraphStep, "skip">, opts: GraphOptions): boolean | undefined {
  if (opts.records === undefined) return undefined;
  const s = { ...step, skip: false };
  return taskIndices(s).every((t) => {
    const rec = opts.records!.get(recordPathFor(s, t));
    return rec !== undefined && verifyStepOutputs(s, t, rec, opts.observed).ok;
  });
}

function downstream(drafts: readonly StepDraft[], id: string): Set<string> {
  const out = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const d of drafts)
      if (!out.has(d.step.id) && d.step.dependsOn.some((x) => out.has(x))) {
        out.add(d.step.id);
        grew = true;
      }
  }
  return out;
}

/**
 * What the steps `ids` need. Training outside them has no record and is not run, so nothing behind
 * it is needed either (export checks the checkpoint it reads itself); the supervisor's selectionOf
 * draws the same line.
 */
function upstream(drafts: readonly StepDraft[], ids: ReadonlySet<string>): Set<string> {
  const byId = new Map(drafts.map((d) => [d.step.id, d]));
  const out = new Set<string>();
  const visit = (id: string): void => {
    for (const dep of byId.get(id)?.step.dependsOn ?? [])
      if (!out.has(dep) && !ids.has(dep) && byId.get(dep)?.step.kind !== "train") {
        out.add(dep);
        visit(dep);
      }
  };
  ids.forEach(visit);
  return out;
}

function select(
  drafts: readonly StepDraft[],
  opts: GraphOptions,
  issues: SpecIssue[]
): { skip: Map<string, boolean>; selection: GraphSelection } {
  const ids = drafts.map((d) => d.step.id);
  const skip = new Map<string, boolean>();
  const skipped: { id: string; reason: string }[] = [];
  for (const [flag, value] of [
    ["--from", opts.from],
    ["--only", opts.only]
  ] as const)
    if (value !== undefined && !ids.includes(value))
      issues.push({ path: flag, received: value, rule: `is not a step of this graph (${ids.join(", ")})` });
  if (opts.from !== undefined && opts.only !== undefined)
    issues.push({ path: "--only", received: opts.only, rule: "cannot be combined with --from" });
  const rerun =
    opts.only !== undefined
      ? new Set([opts.only])
      : opts.from !== undefined
        ? downstream(drafts, opts.from)
        : undefined;
  const needed = rerun !== undefined ? upstream(drafts, rerun) : new Set<string>();
  for (const d of drafts) {
    const id = d.step.id;
    const v = verified(d.step, opts);
    if (rerun?.has(id) === true) {
      skip.set(id, false);
      continue;
    }
    if (v === true) {
      skip.set(id, true);
      skipped.push({ id, reason: "its records exist and verify" });
    } else if (rerun !== undefined) {
      const chosen = opts.only !== undefined ? `--only ${opts.only}` : `--from ${String(opts.from)}`;
      if (v === false && needed.has(id))
        issues.push({
          path: opts.only !== undefined ? "--only" : "--from",
          received: String(opts.only ?? opts.from),
          rule: `needs step ${id} done first: its records (${d.step.record}) are missing or do not verify`
        });
      skip.set(id, true);
      skipped.push({
        id,
        reason: needed.has(id)
          ? `${chosen} (not checked here: the supervisor verifies its records before a step that needs them)`
          : chosen
      });
    } else skip.set(id, false);
  }
  return {
    skip,
    selection: {
      ...(opts.from !== undefined ? { from: opts.from } : {}),
      ...(opts.only !== undefined ? { only: opts.only } : {}),
      skipped
    }
  };
}

/**
 * The run's job graph and every file its steps need, relative to the run directory. Pure; throws
 * one SpecError naming each field (or file) that makes a step impossible.
 */
export function planGraph(plan: Plan, opts: GraphOptions): GraphPlan {
  if (plan.runDir === null)
    throw new SpecError("SPEC_INVALID", [
      {
        path: "runDir",
        received: "(missing)",
        rule: "the job graph needs the run directory on the cluster (--run-dir)"
      }
    ]);
  const issues: SpecIssue[] = [];
  const { drafts, eod, merge } = draftSteps(plan, opts, issues);
  const prog = programs(plan, eod, issues);
  const { skip, selection } = select(drafts, opts, issues);
  if (issues.length > 0) throw new SpecError("SPEC_INVALID", issues);

  const graph = JobGraphSchema.parse({
    steps: drafts.map((d) => ({ ...d.step, skip: skip.get(d.step.id) ?? false }))
  });
  const header = `neoxctl plan: run ${plan.spec.name}, job graph. Generated; re-plan instead of editing.`;
  const files: Record<string, string> = {
    [STEP_TOOL]: templateText("tools/neoxctl_step.py"),
    [STEP_ENV]: renderStepEnv(plan, header),
    "records/.keep": ""
  };
  if (drafts.some((d) => d.step.kind === "tokenize")) {
    files["steps/tools/preprocess_eod.py"] = templateText("tools/preprocess_eod.py");
    files["steps/tools/standin/preprocess_data.py"] = templateText("tools/standin/preprocess_data.py");
  }
  const exportConfig = mergeNeoxConfigs(
    buildNeoxConfigs(plan, { index: 1, runId: plan.spec.name, load: { kind: "init" }, excludeNodes: [] })
  );
  files["steps/export-config.yml"] = renderNeoxYaml(exportConfig, [
    header,
    "The model as NeoX trained it, for tools/ckpts/convert_neox_to_hf.py --config_file."
  ]);
  for (const d of drafts) {
    if (d.step.script === undefined) continue;
    const command =
      d.step.kind === "tokenize"
        ? prog.tokenize
        : d.step.kind === "convert"
          ? prog.convert
          : d.step.kind === "export"
            ? prog.export
            : [];
    files[d.step.script] = renderStepScript(
      plan,
      plan.spec.name,
      { ...d.step, skip: false },
      prog.python,
      header
    );
    files[`steps/${d.step.id}.json`] =
      JSON.stringify(
        {
          id: d.step.id,
          kind: d.step.kind,
          record: d.step.record,
          array: d.step.array !== undefined,
          command,
          ...d.tool,
          tasks: d.tasks
        },
        null,
        2
      ) + "\n";
  }
  return {
    graph,
    files,
    ...(eod !== undefined ? { eod } : {}),
    selection,
    ...(merge !== undefined ? { merge } : {})
  };
}
