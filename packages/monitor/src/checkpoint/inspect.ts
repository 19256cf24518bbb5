import { SpecError, isAbsoluteNormalPath, renderValue } from "@neoxctl/core";
import type { Executor } from "@neoxctl/exec";
import type { CheckpointLayout } from "./expected-files.ts";
import { requiredFiles, requiredLayerPatterns } from "./expected-files.ts";

export interface ListedFile {
  /** path relative to the save directory, `/`-separated */
  path: string;
  type: "file" | "dir" | "other";
  size: number;
  /** modification time, when the listing carries one */
  mtimeMs?: number;
}

export interface CheckpointStatus {
  tag: string;
  step: number;
  complete: boolean;
  /** required names absent */
  missing: string[];
  /** required names present with zero bytes (a save cut short) */
  empty: string[];
  /** files under configs/ (NeoX writes them last: none means the save did not finish) */
  configFiles: number;
  bytes: number;
  /**
   * newest modification time among the configs/ files (NeoX writes them last, so this is when the
   * save finished; a step rewritten after a rollback keeps its directory but gets new configs);
   * null when the listing has no times or there are no config files
   */
  savedAtMs: number | null;
}

export type LatestVerdict =
  | "ok" // names a complete checkpoint
  | "absent" // no `latest` file: NeoX would start from iteration 0
  | "names_missing" // names a directory that does not exist
  | "names_incomplete" // names a directory whose file set is incomplete
  | "unrecognised"; // content is not a global_stepN tag

export interface CheckpointReport {
  saveDir: string;
  latestTag: string | null;
  latest: LatestVerdict;
  /** sorted by step, ascending */
  checkpoints: CheckpointStatus[];
}

const STEP_DIR = /^global_step(\d+)$/;

/** Parses `find -printf '%y\t%s\t%P\n'` output, or with `withMtime` `'%y\t%s\t%T@\t%P\n'`. */
export function parseFindListing(stdout: string, withMtime = false): ListedFile[] {
  const out: ListedFile[] = [];
  for (const line of stdout.split("\n")) {
    const [y, size, ...rest] = line.split("\t");
    const seconds = withMtime ? rest.shift() : undefined;
    const path = rest.join("\t");
    if (y === undefined || size === undefined || path === "") continue;
    const mtimeMs = seconds === undefined ? NaN : Number(seconds) * 1000;
    out.push({
      path,
      type: y === "f" ? "file" : y === "d" ? "dir" : "other",
      size: Number(size) || 0,
      ...(Number.isFinite(mtimeMs) ? { mtimeMs } : {})
    });
  }
  return out;
}

/** Pure: judges every global_stepN directory in a listing, and what `latest` points at. */
export function evaluateCheckpoints(
  saveDir: string,
  listing: readonly ListedFile[],
  latestContent: string | null,
  layout: CheckpointLayout
): CheckpointReport {
  const byDir = new Map<string, ListedFile[]>();
  for (const f of listing) {
    const [top, ...rest] = f.path.split("/");
    if (top === undefined || !STEP_DIR.test(top)) continue;
    if (!byDir.has(top)) byDir.set(top, []);
    if (rest.length > 0) byDir.get(top)?.push({ ...f, path: rest.join("/") });
  }
  const required = requiredFiles(layout);
  const layerPatterns = requiredLayerPatterns(layout);
  const checkpoints: CheckpointStatus[] = [];
  for (const [tag, files] of byDir) {
    const direct = new Map(
      files.filter((f) => f.type === "file" && !f.path.includes("/")).map((f) => [f.path, f.size])
    );
    const missing: string[] = [];
    const empty: string[] = [];
    for (const name of required) {
      const size = direct.get(name);
      if (size === undefined) missing.push(name);
      else if (size === 0) empty.push(name);
    }
    for (const { tp, pattern } of layerPatterns) {
      const layers = [...direct].filter(([n]) => pattern.test(n));
      if (layers.length === 0) missing.push(`layer_*-model_${String(tp).padStart(2, "0")}-model_states.pt`);
      for (const [n, size] of layers) if (size === 0) empty.push(n);
    }
    const configs = files.filter((f) => f.type === "file" && f.path.startsWith("configs/"));
    const configFiles = configs.length;
    const times = configs.flatMap((f) => (f.mtimeMs === undefined ? [] : [f.mtimeMs]));
    if (configFiles === 0) missing.push("configs/*");
    checkpoints.push({
      tag,
      step: Number(STEP_DIR.exec(tag)?.[1]),
      complete: missing.length === 0 && empty.length === 0,
      missing,
      empty,
      configFiles,
      bytes: files.reduce((s, f) => s + (f.type === "file" ? f.size : 0), 0),
      savedAtMs: times.length > 0 ? Math.max(...times) : null
    });
  }
  checkpoints.sort((a, b) => a.step - b.step);

  const latestTag = latestContent === null ? null : latestContent.trim();
  let latest: LatestVerdict;
  if (latestTag === null) latest = "absent";
  else if (!STEP_DIR.test(latestTag)) latest = "unrecognised";
  else {
    const named = checkpoints.find((c) => c.tag === latestTag);
    latest = !named ? "names_missing" : named.complete ? "ok" : "names_incomplete";
  }
  return { saveDir, latestTag, latest, checkpoints };
}

/** The checkpoint to resume from: the newest complete one, optionally at or before a step. */
export function newestComplete(report: CheckpointReport, atOrBefore?: number): CheckpointStatus | null {
  for (let i = report.checkpoints.length - 1; i >= 0; i--) {
    const c = report.checkpoints[i];
    if (c && c.complete && (atOrBefore === undefined || c.step <= atOrBefore)) return c;
  }
  return null;
}

/**
 * The `find` that lists a save directory. find reads every argument that starts with `-` as part of
 * its expression, `--` included, so a save "directory" `-delete` would delete the working directory's
 * tree: only an absolute path is passed, and the command runs in `/`, not wherever the caller is.
 */
export function listingCommand(saveDir: string): { argv: string[]; cwd: string } {
  if (!isAbsoluteNormalPath(saveDir))
    throw new SpecError("SPEC_INVALID", [
      {
        path: "checkpointing.save",
        received: renderValue(saveDir),
        rule: "must be an absolute, normalised path (it is passed to find)"
      }
    ]);
  return {
    argv: ["find", saveDir, "-mindepth", "1", "-maxdepth", "3", "-printf", "%y\\t%s\\t%T@\\t%P\\n"],
    cwd: "/"
  };
}

/**
 * One `find` lists every name, size and modification time under the save directory (one round trip over SSH), and one
 * read fetches `latest`. A missing save directory is an empty report, not an error.
 */
export async function inspectCheckpoints(
  executor: Executor,
  saveDir: string,
  layout: CheckpointLayout
): Promise<CheckpointReport> {
  const { argv, cwd } = listingCommand(saveDir);
  const r = await executor.run(argv, { cwd });
  const listing = r.exitCode === 0 || r.stdout !== "" ? parseFindListing(r.stdout, true) : [];
  const hasLatest = listing.some((f) => f.path === "latest" && f.type === "file");
  let latestContent: string | null = null;
  if (hasLatest) {
    const { data } = await executor.readFrom(`${saveDir === "/" ? "" : saveDir}/latest`, 0, 4096);
    latestContent = data.toString("utf8");
  }
  return evaluateCheckpoints(saveDir, listing, latestContent, layout);
}
