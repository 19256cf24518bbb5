import { access, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { isAbsolute, join, normalize, resolve } from "node:path";
import type { Command } from "commander";
import { parseSpecTemplate, SafeIdSchema, SpecError } from "@neoxctl/core";
import type { SpecTemplate } from "@neoxctl/core";
import { fillTemplate, planRun, resolveTemplateValues, templatesDir } from "@neoxctl/plan";
import { printJson, runAction } from "../output.ts";
import { loadPlanInputs, REPO_ROOT } from "./plan.ts";

const SPEC_FILE = "spec.yaml";
const MANIFEST_FILE = "data-manifest.yaml";

interface InitOptions {
  out?: string;
  name?: string;
  root?: string;
  account?: string;
  force?: boolean;
  list?: boolean;
  json?: boolean;
}

interface TemplateEntry {
  name: string;
  dir: string;
  meta: SpecTemplate;
}

function templatesRoot(): string {
  return join(templatesDir(), "specs");
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false
  );
}

async function listTemplates(): Promise<TemplateEntry[]> {
  const root = templatesRoot();
  const names = (await readdir(root, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const out: TemplateEntry[] = [];
  for (const name of names.sort()) {
    const path = join(root, name, "template.yaml");
    out.push({ name, dir: join(root, name), meta: parseSpecTemplate(await readFile(path, "utf8"), path) });
  }
  return out;
}

/** The given option values, checked before they reach a spec: a name is a run id, a root an absolute path. */
function givenValues(template: TemplateEntry, opts: InitOptions): Record<string, string> {
  const name = SafeIdSchema.safeParse(opts.name ?? template.name);
  const issues = name.success
    ? []
    : [{ path: "--name", received: String(opts.name), rule: name.error.issues[0]?.message ?? "invalid" }];
  if (opts.root !== undefined && (!isAbsolute(opts.root) || normalize(opts.root) !== opts.root))
    issues.push({ path: "--root", received: opts.root, rule: "must be an absolute, normalised path" });
  for (const key of ["root", "account"] as const)
    if (opts[key] !== undefined && !Object.hasOwn(template.meta.values, key))
      issues.push({
        path: `--${key}`,
        received: opts[key],
        rule: `is not a value of template ${template.name}`
      });
  if (opts.account !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(opts.account))
    issues.push({ path: "--account", received: opts.account, rule: "must be a Slurm account name" });
  if (issues.length > 0) throw new SpecError("SPEC_INVALID", issues, "neoxctl init");
  const given: Record<string, string> = { name: opts.name ?? template.name };
  if (opts.root !== undefined) given["root"] = opts.root;
  if (opts.account !== undefined) given["account"] = opts.account;
  return given;
}

function requireDeclared(template: TemplateEntry, values: Record<string, string>): void {
  const declared = Object.entries(template.meta.values);
  const unresolved = declared.filter(([k]) => !Object.hasOwn(values, k));
  // a value whose default could not be filled is reported through the values it waits for
  const missing = unresolved.some(([, v]) => v.default === undefined)
    ? unresolved.filter(([, v]) => v.default === undefined)
    : unresolved;
  if (missing.length > 0)
    throw new SpecError(
      "SPEC_INVALID",
      missing.map(([k, v]) => ({ path: `--${k}`, received: "(not given)", rule: `is needed: ${v.help}` })),
      `template ${template.name}`
    );
}

async function scaffold(template: TemplateEntry, opts: InitOptions & { out: string }): Promise<string[]> {
  const values = resolveTemplateValues({
    declared: template.meta.values,
    given: givenValues(template, opts),
    source: template.name
  });
  requireDeclared(template, values);
  const all = { ...values, spec_file: SPEC_FILE, manifest_file: MANIFEST_FILE };
  const files: Record<string, string> = {
    [SPEC_FILE]: fillTemplate(await readFile(join(template.dir, "spec.yaml"), "utf8"), all, template.name)
  };
  const manifestTemplate = join(template.dir, "manifest.yaml");
  if (await exists(manifestTemplate))
    files[MANIFEST_FILE] = fillTemplate(await readFile(manifestTemplate, "utf8"), all, template.name);

  const outDir = resolve(opts.out);
  const taken = [];
  for (const rel of Object.keys(files)) if (await exists(join(outDir, rel))) taken.push(rel);
  if (taken.length > 0 && opts.force !== true)
    throw new SpecError(
      "SPEC_INVALID",
      taken.map((rel) => ({
        path: "--out",
        received: join(outDir, rel),
        rule: "exists (use --force to overwrite)"
      })),
      "neoxctl init"
    );
  await mkdir(outDir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) await writeFile(join(outDir, rel), text);
  // the scaffold must plan as written: a template that does not is a bug in the template, not the user's
  const inputs = await loadPlanInputs(join(outDir, SPEC_FILE), template.meta.cluster);
  planRun({ ...inputs, repoRoot: REPO_ROOT, runDir: join(outDir, "run") });
  return Object.keys(files).map((rel) => join(outDir, rel));
}

export function register(program: Command): void {
  program
    .command("init")
    .description("Scaffold a run spec (and its data manifest) from a template, commented for review")
    .argument("[template]", "template name (see --list)")
    .option("--out <dir>", "directory to write spec.yaml and data-manifest.yaml into", ".")
    .option("--name <name>", "run name (default: the template's name)")
    .option("--root <path>", "absolute directory the run's data and checkpoints live under")
    .option("--account <account>", "Slurm account (project) the jobs are billed to")
    .option("--force", "overwrite existing files")
    .option("--list", "list the templates and the values each takes")
    .option("--json", "print the result as JSON")
    .action(async (name: string | undefined, opts: InitOptions) =>
      runAction(opts.json === true, async () => {
        const templates = await listTemplates();
        if (opts.list === true || name === undefined) {
          if (opts.json === true) printJson(templates.map((t) => ({ name: t.name, ...t.meta })));
          else
            for (const t of templates) {
              process.stdout.write(
                `${t.name.padEnd(18)} ${t.meta.description} (cluster ${t.meta.cluster})\n`
              );
              for (const [k, v] of Object.entries(t.meta.values))
                process.stdout.write(
                  `${"".padEnd(18)}   --${k}: ${v.help}${v.default !== undefined ? ` [default ${v.default}]` : ""}\n`
                );
            }
          return;
        }
        const template = templates.find((t) => t.name === name);
        if (template === undefined)
          throw new SpecError(
            "SPEC_NOT_FOUND",
            [
              {
                path: "template",
                received: name,
                rule: `is none of ${templates.map((t) => t.name).join(", ")}`
              }
            ],
            "neoxctl init"
          );
        const written = await scaffold(template, { ...opts, out: opts.out ?? "." });
        if (opts.json === true) printJson({ template: template.name, files: written });
        else {
          for (const f of written) process.stdout.write(`wrote ${f}\n`);
          process.stdout.write(
            `next: neoxctl plan ${join(resolve(opts.out ?? "."), SPEC_FILE)} --cluster ${template.meta.cluster} --out plan/\n`
          );
        }
      })
    );
}
