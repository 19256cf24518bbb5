// Runs the local demo's whole job graph on the local Slurm cluster under the real supervisor worker
// (BullMQ queues over Redis): convert (HF → NeoX), the tokenize array, merge into the blend's
// prefixes, training with the NeoX emulator through its recoveries (a node goes DOWN mid-job,
// training hangs, then the loss spikes at a too-high LR), and export. Prints each event as it
// happens and ends with ONE JSON line that reports every step.
import { execFileSync } from "node:child_process";
import { LocalExecutor } from "@neoxctl/exec";
import {
  cachingResolver,
  connectRedis,
  createRun,
  defaultPrefix,
  graphProgress,
  Keys,
  RunStore,
  SeriesStore,
  SupervisorWorker
} from "@neoxctl/supervisor";
import { REPO_ROOT } from "../test/supervisor/scenario.ts";
import { graphScenario } from "../test/supervisor/graph-scenario.ts";

const TRAIN_ITERS = 220;
const NODE_DOWN_AFTER = 30;
const LR = 0.00021;

const say = (line: string): void => void process.stderr.write(`${line}\n`);

const inputs = graphScenario({
  name: "demo",
  trainIters: TRAIN_ITERS,
  lr: LR,
  env: {
    NEOX_EMU_STEP_MS: "40",
    NEOX_EMU_HANG_AT: "110",
    NEOX_EMU_SPIKE_AT: "150",
    NEOX_EMU_UNSTABLE_LR: "0.0002"
  }
});
const redis = connectRedis();
const prefix = defaultPrefix();
const store = new RunStore(redis, new Keys(prefix));
const series = new SeriesStore(redis, store.keys);
const clusters = cachingResolver();
const worker = new SupervisorWorker(redis, clusters, {
  prefix,
  pollIntervalMs: 300,
  leaseTtlMs: 3000,
  log: () => {}
});
let downed: string | undefined;

try {
  say(
    `scenario: ${TRAIN_ITERS} steps at LR ${LR} (emulator instability threshold 2e-4); node DOWN after step ${NODE_DOWN_AFTER}, hang at 110, spike at 150`
  );
  say(
    `job graph: ${inputs.graph.steps.map((s) => `${s.id}${s.array ? `[${s.array.tasks}]` : ""}`).join(" → ")}`
  );
  const run = await createRun(store, new LocalExecutor(), {
    ...inputs,
    repoRoot: REPO_ROOT,
    graph: inputs.graph
  });
  say(`run ${run.id} created in ${run.runDir}`);
  await worker.start();
  let seen = "-";
  for (;;) {
    for (const e of await store.events(run.id, seen)) {
      seen = e.id;
      const move = e.to ? ` [${e.from ?? ""}→${e.to}]` : "";
      say(`  ${e.time.slice(11, 23)} ${e.type}${move}: ${e.cause}`);
    }
    const r = await store.mustGetRun(run.id);
    if (
      r.state === "completed" ||
      r.state === "needs_attention" ||
      r.state === "failed" ||
      r.state === "cancelled"
    )
      break;
    if (!downed && r.state === "running" && r.attempts === 1) {
      const last = (await series.lastBatch(run.id)).at(-1);
      const a = await store.getAttempt(run.id, 1);
      if (last && last.step >= NODE_DOWN_AFTER && a?.nodes?.length) {
        downed = a.nodes[a.nodes.length - 1]!;
        say(`  >>> fault: scontrol update nodename=${downed} state=down (job at step ${last.step})`);
        execFileSync("scontrol", ["update", `nodename=${downed}`, "state=down", "reason=neoxctl-demo"]);
      }
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  const final = await store.mustGetRun(run.id);
  const points = await series.read(run.id);
  const lastStep = points.filter((p) => p.attempt === final.attempts).at(-1)?.step ?? null;
  process.stdout.write(
    JSON.stringify({
      runId: final.id,
      state: final.state,
      attempts: final.attempts,
      excludedNodes: final.params.excludeNodes,
      rollbacks: final.rollbacks.map((r) => ({
        onsetStep: r.onsetStep,
        toStep: r.toStep,
        lrFrom: r.lrFrom,
        lrTo: r.lrTo
      })),
      finalLr: final.params.lr,
      finalStep: lastStep,
      steps: final.graph
        ? graphProgress(final.graph).map((x) => ({
            id: x.id,
            kind: x.kind,
            state: x.state,
            tasks: `${x.done}/${x.total}`,
            retries: x.retries,
            jobs: x.jobIds
          }))
        : []
    }) + "\n"
  );
  say(`inspect it: neoxctl status ${final.id} · neoxctl events ${final.id} · files in ${inputs.root}`);
  if (final.state !== "completed") process.exitCode = 1;
} finally {
  // another user of the cluster may already have resumed it; that is fine
  if (downed) {
    try {
      execFileSync("scontrol", ["update", `nodename=${downed}`, "state=resume"], { stdio: "ignore" });
    } catch {
      say(`note: ${downed} was not DOWN any more`);
    }
  }
  await worker.stop();
  await clusters.closeAll();
  redis.disconnect();
}
