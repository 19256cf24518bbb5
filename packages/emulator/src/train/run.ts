import { hostname } from "node:os";
import type { EmuConfig } from "../config/emu-config.ts";
import { PythonError } from "../config/python-error.ts";
import type { CheckpointTopology } from "../checkpoint/expected-files.ts";
import { loadCheckpoint } from "../checkpoint/load.ts";
import { pruneCheckpoints, saveCheckpoint } from "../checkpoint/save.ts";
import type { SaveCaller } from "../checkpoint/save-trace.ts";
import type { ModelStates } from "../checkpoint/state.ts";
import type { FaultLedger, FaultPlan } from "../faults/faults.ts";
import { failureAt, printFailure } from "../faults/failure-output.ts";
import { appFailureAt, printAppFailure } from "../faults/app-failures.ts";
import { evalBlock, flopsPerGpu, timersLine, trainingLine } from "../output/log-lines.ts";
import type { Printer } from "../output/printer.ts";
import { pyNow, sleepMs } from "../output/printer.ts";
import { AnnealingLr } from "./annealing-lr.ts";
import { HEALTHY, evalLoss, stepLoss } from "./loss-model.ts";
import type { ModelHealth } from "./loss-model.ts";
import { isSaveIter } from "./save-policy.ts";

export interface RunOptions {
  cfg: EmuConfig;
  configFiles: readonly { path: string; text: string }[];
  dataImpl: string;
  hasData: boolean;
  stepMs: number;
  saveMs: number;
  unstableLr: number;
  faults: FaultPlan;
  ledger: FaultLedger;
  env: NodeJS.ProcessEnv;
  print: Printer;
}

/** What happened at the end; main.ts turns it into an exit status. */
export type RunEnd = { kind: "finished" } | { kind: "exit_interval"; iteration: number };

const VOCAB = 50304;

function host(env: NodeJS.ProcessEnv): string {
  return env["SLURMD_NODENAME"] ?? hostname();
}

/** pretrain(): setup (seed, model, checkpoint load), data, then the training loop. */
export function runTraining(o: RunOptions): RunEnd {
  const { cfg, print } = o;
  const topology: CheckpointTopology = {
    tp: cfg.tp,
    pp: cfg.pp,
    dp: cfg.dp,
    bf16: cfg.precision === "bfloat16",
    numLayers: cfg.numLayers
  };
  print.out(`> setting random seeds to ${cfg.seed} ...`);
  print.out("building GPT2 model ...");
  const scheduler = new AnnealingLr(
    {
      startLr: cfg.lr,
      minLr: cfg.minLr,
      warmupIter: cfg.warmup * cfg.decayIters,
      totalIters: cfg.decayIters,
      decayStyle: cfg.decayStyle,
      overrideLrScheduler: cfg.overrideLrScheduler,
      useCheckpointLrScheduler: cfg.useCheckpointLrScheduler
    },
    print.out
  );
  let iteration = 0;
  let health: ModelHealth = HEALTHY;
  let lossScale = cfg.precision === "fp16" ? Math.pow(2, cfg.initialScalePower) : 1;
  let skippedTotal = 0;
  if (cfg.load !== null) {
    const loadOptim = !cfg.noLoadOptim && !cfg.finetune;
    const outcome = loadCheckpoint(cfg.load, cfg.iteration, topology, loadOptim, print);
    switch (outcome.kind) {
      case "none":
        print.out("Unable to load checkpoint.");
        break;
      case "loaded": {
        const st = outcome.states;
        for (const [k, v] of Object.entries(cfg.archArgs)) {
          const saved = st.args[k];
          if (saved !== undefined && saved !== v) {
            throw new PythonError(
              "AssertionError",
              `${k} value from checkpoint (${String(saved)}) is not equal to the currently set argument value (${String(v)}).`
            );
          }
        }
        if (loadOptim) {
          scheduler.loadStateDict(st.lr_scheduler);
          lossScale = st.emulator.loss_scale;
          skippedTotal = st.skipped_steps;
        }
        health = st.emulator.health;
        iteration = cfg.finetune ? 0 : st.iteration;
        print.out(`  successfully loaded ${outcome.path}`);
        break;
      }
    }
    print.out(`Loading checkpoint and starting from iteration ${iteration}`);
  }
  print.out("> building train, validation, and test datasets ...");
  if (!o.hasData)
    throw new PythonError("TypeError", "expected str, bytes or os.PathLike object, not NoneType");
  if (o.dataImpl === "infer") {
    print.out("Unknown dataset implementation");
    throw new PythonError("AttributeError", "'NoneType' object has no attribute 'sizes'");
  }
  if (iteration > 0) print.out(`setting training data start iteration to ${iteration * cfg.gas}`);
  print.out("done with setups ...");
  print.out("training ...");

  const states = (it: number): ModelStates => ({
    iteration: it,
    args: cfg.archArgs,
    lr_scheduler: scheduler.stateDict(),
    global_steps: it,
    global_samples: it * cfg.trainBatchSize,
    skipped_steps: skippedTotal,
    dp_world_size: cfg.dp,
    mp_world_size: cfg.tp,
    ds_version: "0.12.4+emulated",
    emulator: { health, loss_scale: lossScale, seed: cfg.seed }
  });
  const save = (it: number, caller: SaveCaller): void => {
    if (cfg.save === null) return;
    const die =
      o.faults.die_in_save && o.faults.die_in_save.step === it && o.ledger.claim("die_in_save", it)
        ? { code: o.faults.die_in_save.code }
        : null;
    saveCheckpoint(
      {
        saveDir: cfg.save,
        iteration: it,
        topology,
        configFiles: o.configFiles,
        states: states(it),
        saveMs: o.saveMs,
        dieAfterLatest: die,
        caller
      },
      print
    );
    if (cfg.keepLastN !== null) pruneCheckpoints(cfg.save, cfg.keepLastN, caller);
  };

  let windowLoss = 0;
  let windowSteps = 0;
  let windowSkipped = 0;
  let windowNan = 0;
  let windowStart = Date.now();
  let slowFactor = 1;
  let lastSaved = -1;
  const f = o.faults;
  while (iteration < cfg.trainIters) {
    const step = iteration + 1;
    if (f.crash?.step === step && o.ledger.claim("crash", step)) {
      print.err("Traceback (most recent call last):");
      print.err('  File "/gpt-neox/train.py", line 34, in <module>');
      print.err("RuntimeError: DataLoader worker (pid 2714) is killed by signal: Killed. ");
      process.exit(f.crash.code);
    }
    const failure = failureAt(f, step, o.ledger);
    if (failure) {
      const rank = Number(o.env["RANK"] ?? 0);
      printFailure(failure, {
        host: host(o.env),
        pid: process.pid,
        step,
        rank: Number.isSafeInteger(rank) ? rank : 0,
        print
      });
      process.exit(1);
    }
    const appFailure = appFailureAt(f, step, o.ledger);
    if (appFailure) {
      printAppFailure(appFailure, { host: host(o.env), print });
      process.exit(1);
    }
    if (f.hang?.step === step && o.ledger.claim("hang", step)) {
      // A wedged collective: no output, no exit; SIGTERM (default action) ends it.
      for (;;) sleepMs(60_000);
    }
    if (f.slow?.step === step && o.ledger.claim("slow", step)) slowFactor = f.slow.factor;
    sleepMs(o.stepMs * slowFactor);

    const r = stepLoss(
      {
        seed: cfg.seed,
        step,
        lr: scheduler.lr(),
        unstableLr: o.unstableLr,
        forceSpike: f.spike?.step === step && o.ledger.claim("spike", step),
        forceNan: f.nan?.step === step && o.ledger.claim("nan", step)
      },
      health
    );
    // fp16 skips an overflowing step (weights untouched, loss scale halved, no scheduler step); bf16/fp32 apply it.
    const skipped = cfg.precision === "fp16" && Number.isNaN(r.loss);
    iteration = step;
    if (skipped) {
      windowSkipped++;
      windowNan++;
      skippedTotal++;
      lossScale = Math.max(lossScale / 2, 1);
    } else {
      health = r.health;
      scheduler.step();
      windowLoss += r.loss;
      windowSteps++;
      if (cfg.precision === "fp16" && iteration % cfg.lossScaleWindow === 0) lossScale *= 2;
    }
    if (iteration % cfg.logInterval === 0) {
      const ms = (Date.now() - windowStart) / cfg.logInterval;
      const seconds = ms / 1000;
      const fl = flopsPerGpu({
        batch: cfg.trainBatchSize,
        seq: cfg.seqLength,
        layers: cfg.numLayers,
        hidden: cfg.hiddenSize,
        vocab: VOCAB,
        checkpointActivations: cfg.checkpointActivations,
        seconds,
        gpus: cfg.globalNumGpus
      });
      const mfu =
        cfg.peakTflops !== null
          ? {
              mfu: ((fl * (3 / (cfg.checkpointActivations ? 4 : 3))) / (cfg.peakTflops * 1e12)) * 100,
              hfu: (fl / (cfg.peakTflops * 1e12)) * 100
            }
          : null;
      print.out(
        trainingLine({
          samplesPerSec: cfg.trainBatchSize / Math.max(seconds, 1e-9),
          iteration,
          trainIters: cfg.trainIters,
          msPerIter: ms,
          lr: scheduler.lr(),
          flopsPerGpu: fl,
          mfu,
          lmLoss: windowLoss / Math.max(windowSteps, 1),
          lossScale: cfg.precision === "fp16" ? lossScale : null,
          skipped: windowSkipped,
          nan: windowNan
        })
      );
      print.out(timersLine(ms, cfg.pp >= 1));
      windowLoss = 0;
      windowSteps = 0;
      windowSkipped = 0;
      windowNan = 0;
      windowStart = Date.now();
    }
    if (cfg.save !== null && isSaveIter(cfg, iteration)) {
      save(iteration, "loop");
      lastSaved = iteration;
    }
    if (cfg.doValid && cfg.evalInterval > 0 && iteration % cfg.evalInterval === 0) {
      for (const l of evalBlock(`iteration ${iteration}`, evalLoss(cfg.seed, iteration, health)))
        print.out(l);
    }
    if (cfg.exitInterval !== null && cfg.exitInterval > 0 && iteration % cfg.exitInterval === 0) {
      print.out(`rank: 0 | time: ${pyNow()} | exiting the program at iteration ${iteration}`);
      return { kind: "exit_interval", iteration };
    }
  }
  if (cfg.save !== null && iteration !== 0 && lastSaved !== iteration) save(iteration, "final");
  if (cfg.doValid)
    for (const l of evalBlock("the end of training for val data", evalLoss(cfg.seed, iteration, health)))
      print.out(l);
  return { kind: "finished" };
}
