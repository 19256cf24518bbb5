import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { JobGraph } from "@neoxctl/core";
import { writeHfModelFixture, writeRawCorpus } from "@neoxctl/emulator";
import { planRun, readTokenizerJson, renderRun } from "@neoxctl/plan";
import { REPO_ROOT, scenarioInputs } from "./scenario.ts";
import type { ScenarioInputs, ScenarioOptions } from "./scenario.ts";

export interface GraphScenario extends ScenarioInputs {
  /** plan.json's graph: convert → tokenize array → merge → train → export */
  graph: JobGraph;
  summary: string;
}

/**
 * The local demo with its whole job graph, in its own directories: a small Hugging Face model
 * (Llama 3's special tokens) for convert, raw JSONL corpora for the tokenize array, the groups
 * merged into the prefixes the blend reads, then training with the emulator and export. The plan's
 * files (attempt 1 and every step script) are written to the run directory, as `neoxctl plan` does.
 */
export function graphScenario(o: ScenarioOptions & { docs?: number }): GraphScenario {
  const base = scenarioInputs(o);
  const spec = structuredClone(base.spec);
  const hf = join(base.root, "hf/llama3-8b");
  spec.init = { ...spec.init, hf_model: hf, tokenizer: `${hf}/tokenizer.json` };
  const manifest = structuredClone(base.manifest);
  Object.assign(manifest, { data_root: join(base.root, "data"), raw_root: join(base.root, "raw") });
  if (spec.data.inline) spec.data.inline = manifest;
  const input = { spec, profile: base.profile, manifest, repoRoot: REPO_ROOT, runDir: base.runDir };
  const plan = planRun(input);
  writeHfModelFixture(hf, plan.arch);
  manifest.datasets.forEach((d, i) => {
    for (const src of d.source ?? []) writeRawCorpus(join(manifest.raw_root!, src), o.docs ?? 40, i + 1);
  });
  const tokenizer = readTokenizerJson(`${hf}/tokenizer.json`, readFileSync(`${hf}/tokenizer.json`, "utf8"));
  const rendered = renderRun(plan, manifest, { tokenizer });
  for (const [rel, text] of Object.entries(rendered.files)) {
    const p = join(base.runDir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text, rel.endsWith(".sh") || rel.endsWith(".sbatch") ? { mode: 0o755 } : {});
  }
  if (rendered.graph === undefined)
    throw new Error("the demo plan has a run directory, so it must carry a graph");
  return { ...base, spec, manifest, graph: rendered.graph.graph, summary: rendered.summary };
}
