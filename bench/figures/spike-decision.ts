import { execFileSync } from "node:child_process";
import { appendFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { LocalExecutor, SshExecutor } from "@neoxctl/exec";
import type { Executor } from "@neoxctl/exec";
import { LineParser, MultiFollower, RobustSpikeDetector } from "@neoxctl/monitor";
import { decide } from "@neoxctl/supervisor";
import { SUPERVISOR_POLL_MS, runningContext } from "../lib/decision-context.ts";
import { lossAt, neoxIterationLines } from "../lib/neox-lines.ts";
import type { BenchOptions, FigureResult, Measurement } from "../lib/result.ts";
import { checkTarget } from "../lib/result.ts";
import { summarize } from "../lib/stats.ts";

const BASELINE_STEPS = 150;
const CHECKPOINTS = [0, 50];

async function sshExecutor(repoRoot: string): Promise<SshExecutor> {
  execFileSync("bash", [join(repoRoot, "test", "cluster", "sshd.sh"), "start"], { stdio: ["ignore", "ignore", "inherit"] });
  const ssh = join(repoRoot, "test", "cluster", "run", "ssh");
  return SshExecutor.fromTarget({
    kind: "ssh",
    host: "127.0.0.1",
    port: 2222,
    user: "root",
    identityFile: join(ssh, "id_ed25519"),
    knownHostsFile: join(ssh, "known_hosts"),
    // never pick up the machine's own ~/.ssh/config
    sshConfigFile: join(ssh, "no-such-config")
  });
}

/**
 * Time from appending a spike's log line to the rollback decision: the follower sweeps every
 * SUPERVISOR_POLL_MS, parses new lines, feeds the run's detector, and on an alarm asks the
 * supervisor's policy (`decide`) what to do.
 */
async function measure(opts: BenchOptions, exec: Executor, trials: number): Promise<number[]> {
  const dir = await mkdtemp(join(tmpdir(), "neoxctl-bench-spike-"));
  const parser = new LineParser("neox");
  const detectors = new Map<string, RobustSpikeDetector>();
  const lastStep = new Map<string, number>();
  const decided = new Map<string, number>();
  const follower = new MultiFollower({
    intervalMs: SUPERVISOR_POLL_MS,
    onData: (key, result) => {
      const det = detectors.get(key)!;
      for (const line of result.lines) {
        const ev = parser.parse(line);
        if (ev?.kind !== "train" || ev.loss === null) continue;
        lastStep.set(key, ev.step);
        for (const d of det.push({ step: ev.step, loss: ev.loss })) {
          if (d.type !== "alarm" || decided.has(key)) continue;
          const job = { jobId: "1", state: "RUNNING" as const, nodes: ["nid001"], restarts: 0 };
          const alarm = { kind: d.kind, onsetStep: d.onsetStep, step: d.step, recovered: false, lines: [line] };
          const decision = decide(runningContext(job, { alarm, lastIteration: ev.step }, [], CHECKPOINTS));
          if (decision.kind === "recover" && decision.rollback) decided.set(key, performance.now());
        }
      }
    },
    onError: (key, e) => opts.log(`spike: read ${key} failed: ${String(e)}`)
  });
  follower.start();
  const out: number[] = [];
  try {
    for (let t = 0; t < trials; t++) {
      const key = `trial-${t}`;
      const path = join(dir, `${key}.out`);
      let text = "";
      for (let s = 1; s <= BASELINE_STEPS; s++) text += neoxIterationLines(s, 1_000_000, lossAt(s), 3e-4);
      writeFileSync(path, text);
      detectors.set(key, new RobustSpikeDetector());
      follower.add(key, exec, path);
      // let a sweep take in the healthy history, then append at a random phase of the poll cycle
      while (lastStep.get(key) !== BASELINE_STEPS) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, Math.random() * SUPERVISOR_POLL_MS));
      appendFileSync(path, neoxIterationLines(BASELINE_STEPS + 1, 1_000_000, lossAt(BASELINE_STEPS + 1) * 3, 3e-4));
      const t0 = performance.now();
      const deadline = t0 + 20 * SUPERVISOR_POLL_MS;
      while (!decided.has(key)) {
        if (performance.now() > deadline) throw new Error(`no rollback decision within ${20 * SUPERVISOR_POLL_MS} ms (trial ${t}, ${exec.kind})`);
        await new Promise((r) => setTimeout(r, 5));
      }
      out.push(decided.get(key)! - t0);
      follower.remove(key);
    }
  } finally {
    await follower.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

export async function runSpikeDecision(opts: BenchOptions): Promise<FigureResult> {
  const started = Date.now();
  const trials = opts.quick ? 5 : 20;
  const measurements: Measurement[] = [];
  opts.log(`spike: ${trials} trials local`);
  const local = await measure(opts, new LocalExecutor(), trials);
  measurements.push(checkTarget({ metric: "spike_to_decision_ms", case: "local", unit: "ms", summary: summarize(local), target: { op: "<=", value: 1000, on: "p95" } }));
  opts.log(`spike: ${trials} trials over SSH`);
  const ssh = await sshExecutor(opts.repoRoot);
  try {
    const remote = await measure(opts, ssh, trials);
    measurements.push(checkTarget({ metric: "spike_to_decision_ms", case: "ssh (127.0.0.1:2222)", unit: "ms", summary: summarize(remote), target: { op: "<=", value: 2000, on: "p95" } }));
  } finally {
    await ssh.close();
  }
  return {
    name: "spike",
    title: "Loss spike → rollback decision",
    scope: `MONITOR + POLICY PATH, not the full supervisor: from the spike line's append (appendFileSync returned) to @neoxctl/supervisor decide() returning a rollback, through MultiFollower (${SUPERVISOR_POLL_MS} ms sweeps, local or SshExecutor), LineParser and RobustSpikeDetector. Not included: the supervisor's Redis commit of the decision and its Slurm poll in the same cycle (the worker's cycle API was still being written); spike policy recover_window_steps = 0 (the default 50-step wait is policy, not latency)`,
    measurements,
    notes: [`the append happens at a uniformly random phase of the ${SUPERVISOR_POLL_MS} ms sweep, so the figure is dominated by the poll interval (expected p50 ≈ interval/2 + read/parse time)`],
    durationMs: Date.now() - started
  };
}
