import type { Command } from "commander";
import { SpecError } from "@neoxctl/core";
import {
  chainStatus,
  CorruptRecordError,
  describeGraph,
  describeSpeed,
  graphProgress,
  openStore,
  readGoodput,
  runSpeed,
  selectionFlag,
  SeriesStore
} from "@neoxctl/supervisor";
import type { Run, RunGoodput, StepProgress } from "@neoxctl/supervisor";
import { printJson, printLine, runAction } from "../output.ts";
import { checkRunId } from "../run-arg.ts";
import { attemptLine, attemptRows, jobRows } from "../status-attempts.ts";
import { describeGoodput, goodputSummary } from "../status-goodput.ts";
import { askSlurm, formatJobsReport, jobsReport } from "../status-jobs.ts";

interface StatusOptions {
  json?: boolean;
  jobs?: boolean;
}

export function register(program: Command): void {
  program
    .command("status")
    .description("Show supervised runs (one run in detail when given)")
    .argument("[run]", "run id")
    .option("--json", "print JSON")
    .option(
      "--jobs",
      "with a run: its Slurm jobs (one per attempt, plus a queued continuation) as Slurm reports them now (one squeue, one sacct; locally or over SSH as the run's profile says) beside the supervisor's records, disagreements flagged; when Slurm cannot be reached, the records only, labelled so"
    )
    .action(async (runId: string | undefined, opts: StatusOptions) =>
      runAction(opts.json === true, async () => {
        if (runId !== undefined) checkRunId(runId);
        if (opts.jobs === true && runId === undefined)
          throw new SpecError("SPEC_INVALID", [
            { path: "--jobs", received: "(no run)", rule: "lists one run's jobs: give the run id" }
          ]);
        const { store, close } = await openStore();
        try {
          const series = new SeriesStore(store.redis, store.keys, store.corrupt);
          const ids = runId ? [runId] : await store.runIds(false);
          const rows = [];
          // in the list, a run with a corrupt record is shown as unreadable and the others as usual
          const unreadable: { id: string; error: CorruptRecordError }[] = [];
          for (const id of ids) {
            try {
              const run = runId ? await store.mustGetRun(id) : await store.getRun(id);
              if (!run) continue;
              const last = (await series.lastBatch(id)).at(-1);
              const attempt = await store.getAttempt(id, run.attempts);
              const chain = runId ? await chainStatus(store, run) : undefined;
              const speed = runId ? runSpeed({ run, points: await series.read(id) }) : undefined;
              const attempts = runId
                ? attemptRows(await store.attempts(run), await store.events(id))
                : undefined;
              const goodput = await readGoodput(store, run, Date.now());
              rows.push({
                run,
                attempt,
                lastStep: last?.step ?? null,
                lastLoss: last?.loss ?? null,
                badNodes: await store.badNodes(id),
                goodput,
                ...(chain ?? {}),
                ...(speed ? { speed } : {}),
                ...(run.graph ? { steps: graphProgress(run.graph) } : {}),
                ...(run.graph ? selectionOf(run.graph) : {}),
                ...(attempts ? { attempts } : {})
              });
            } catch (e) {
              if (runId !== undefined || !(e instanceof CorruptRecordError)) throw e;
              unreadable.push({ id, error: e });
            }
          }
          if (opts.jobs === true) {
            const r = rows[0];
            if (!r) return;
            const jobs = r.attempts
              ? jobRows(r.attempts, r.chain?.queued ? { ...r.chain.queued } : undefined)
              : [];
            // Slurm is asked, not the supervisor: its records go stale while it is down
            const access = (r.run.planInput as { profile?: { access?: unknown } }).profile?.access;
            const answer = await askSlurm(
              access,
              jobs.map((j) => j.jobId)
            );
            const report = jobsReport(r.run, jobs, answer);
            if (opts.json === true) return printJson(report);
            for (const line of formatJobsReport(report)) printLine(line);
            return;
          }
          if (opts.json === true) {
            printJson(
              runId
                ? rows[0]
                : [
                    ...rows.map((r) => ({
                      ...summary(r.run, r.lastStep, r.attempt?.jobId, r.goodput),
                      ...(r.steps ? { steps: r.steps } : {}),
                      ...(r.selection ? { selection: r.selection } : {})
                    })),
                    ...unreadable.map((u) => ({ id: u.id, state: "unreadable", error: u.error.toJSON() }))
                  ].sort((a, b) => a.id.localeCompare(b.id))
            );
            return;
          }
          if (rows.length + unreadable.length === 0) printLine("no runs");
          for (const u of unreadable) printLine(`${u.id}  ${"unreadable".padEnd(15)} ${u.error.message}`);
          for (const r of rows) {
            printLine(
              `${r.run.id}  ${r.run.state.padEnd(15)} attempt ${r.run.attempts}${r.attempt?.jobId ? ` (job ${r.attempt.jobId})` : ""}  step ${r.lastStep ?? "-"}/${r.run.trainIters}  lr ${r.run.params.lr.toExponential(3)}  exclude [${r.run.params.excludeNodes.join(",")}]`
            );
            if (r.run.attention) printLine(`  needs attention: ${r.run.attention}`);
            if (r.selection) printLine(`  selection: ${r.selection.text}`);
            if (r.steps) {
              if (runId) for (const line of graphTable(r.steps)) printLine(`  ${line}`);
              else printLine(`  graph: ${describeGraph(r.steps)}`);
            }
            const gp = describeGoodput(r.goodput, runId !== undefined);
            if (gp) printLine(`  ${gp}`);
            if (runId) {
              printLine(
                `  budgets used: ${Object.entries(r.run.budgetsUsed)
                  .map(
                    ([k, v]) => `${k} ${v}/${r.run.resilience.budgets[k as keyof typeof r.run.budgetsUsed]}`
                  )
                  .join(", ")}`
              );
              printLine(
                `  rollbacks: ${r.run.rollbacks.map((b) => `${b.onsetStep}→${b.toStep} lr ${b.lrFrom.toExponential(2)}→${b.lrTo.toExponential(2)}`).join("; ") || "none"}`
              );
              printLine(
                `  bad nodes: ${r.badNodes.map((b) => `${b.node} (×${b.blamed}${b.until === null ? ", kept out" : ""})`).join(", ") || "none"}`
              );
              printLine(`  run dir: ${r.run.runDir}`);
              if (r.attempts?.length) {
                printLine(`  attempts (${r.attempts.length}):`);
                for (const a of r.attempts) printLine(`  ${attemptLine(a)}`);
              }
              const exit = r.chain?.exits.find((e) => e.attempt === r.run.attempts);
              if (exit)
                printLine(
                  `  planned exit: ${exit.exitAt === null ? "none (runs to train_iters)" : `iteration ${exit.exitAt}`}${r.chain?.queued?.jobId ? `; next attempt queued as job ${r.chain.queued.jobId}` : ""}`
                );
              if (r.speed) printLine(`  speed: ${describeSpeed(r.speed)}`);
              printLine(
                `  checkpoint interval: ${r.checkpointAdvice?.text ?? "no advice yet (needs a measured step and save time)"}`
              );
            }
          }
        } finally {
          close();
        }
      })
    );
}

/**
 * A graph run's `--only`/`--from`, said plainly: a run that ran one step ends `completed` too, and
 * must not read as one that trained.
 */
function selectionOf(g: NonNullable<Run["graph"]>): {
  selection?: { only?: string; from?: string; notSelected: string[]; text: string };
} {
  const flag = selectionFlag(g);
  if (flag === undefined) return {};
  const notSelected = g.steps.filter((s) => s.state === "not_selected").map((s) => s.id);
  const runs =
    g.only !== undefined ? `only step ${g.only} runs` : `step ${String(g.from)} and the steps after it run`;
  return {
    selection: {
      ...(g.only !== undefined ? { only: g.only } : {}),
      ...(g.from !== undefined ? { from: g.from } : {}),
      notSelected,
      text: `${flag}: ${runs}${notSelected.length ? `; not run (not selected): ${notSelected.join(", ")}` : ""}`
    }
  };
}

/** The graph as a small table: step, kind, state, tasks done/total, retries, Slurm jobs. */
function graphTable(steps: readonly StepProgress[]): string[] {
  const rows = steps.map((s) => [
    s.id,
    s.kind,
    s.state,
    `${s.done}/${s.total}${s.running ? ` (${s.running} running)` : ""}`,
    s.retries ? String(s.retries) : "-",
    s.jobIds.join(",") || "-"
  ]);
  const head = ["step", "kind", "state", "tasks", "retries", "jobs"];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(width[i]!))
      .join("  ")
      .trimEnd();
  return ["graph:", fmt(head), ...rows.map(fmt)];
}

function summary(
  run: Run,
  lastStep: number | null,
  jobId: string | undefined,
  goodput: RunGoodput
): { id: string } & Record<string, unknown> {
  return {
    id: run.id,
    state: run.state,
    attempts: run.attempts,
    jobId: jobId ?? null,
    step: lastStep,
    trainIters: run.trainIters,
    lr: run.params.lr,
    excludeNodes: run.params.excludeNodes,
    attention: run.attention ?? null,
    ...goodputSummary(goodput)
  };
}
