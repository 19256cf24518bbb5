import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalExecutor } from "@neoxctl/exec";
import type { ExecOptions, ExecResult } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import {
  createRun,
  Keys,
  LeaseManager,
  RunStore,
  SeriesStore,
  SlurmAdapter,
  Supervisor
} from "@neoxctl/supervisor";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";

/**
 * Runs Slurm commands against the real cluster, or — while `down` — against a copy of its
 * slurm.conf whose controller port nothing listens on: every command then meets a controller that
 * does not answer, as during a slurmctld outage, without stopping the controller other tests share.
 */
class SwitchableSlurmExecutor extends LocalExecutor {
  down = false;
  constructor(private readonly deadConf: string) {
    super();
  }
  override run(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return super.run(
      argv,
      this.down ? { ...options, env: { ...(options.env ?? {}), SLURM_CONF: this.deadConf } } : options
    );
  }
}

describe("Slurm controller unreachable mid-run", () => {
  const inputs = scenarioInputs({
    name: "outage",
    trainIters: 80,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "30" }
  });
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await cleanup?.();
    removeScenario(inputs);
  });

  it("waits through the outage without deciding anything, then carries on to completion", async () => {
    const conf = process.env.SLURM_CONF ?? "/etc/slurm/slurm.conf";
    const deadConf = join(inputs.root, "slurm-dead.conf");
    writeFileSync(deadConf, readFileSync(conf, "utf8").replace(/^SlurmctldPort=.*$/m, "SlurmctldPort=6999"));
    const exec = new SwitchableSlurmExecutor(deadConf);
    const t = await testRedis("outage");
    cleanup = t.cleanup;
    const keys = new Keys(t.prefix);
    const store = new RunStore(t.redis, keys);
    const series = new SeriesStore(t.redis, keys);
    const sup = new Supervisor(store, new LeaseManager(t.redis, keys, "sup-outage", 60_000), () => ({
      exec,
      slurm: new SlurmAdapter(new SlurmClient(exec, { commandTimeoutMs: 20_000 }))
    }));
    const run = await createRun(store, new LocalExecutor(), { ...inputs, repoRoot: REPO_ROOT });

    for (let i = 0; i < 300; i++) {
      await sup.cycle();
      if (
        (await store.mustGetRun(run.id)).state === "running" &&
        ((await series.lastBatch(run.id)).at(-1)?.step ?? 0) >= 10
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await store.mustGetRun(run.id)).state).toBe("running");
    const before = (await store.events(run.id)).length;

    exec.down = true;
    const reports = [];
    // the job ends during the outage; nothing may be concluded from a controller that does not answer
    for (let i = 0; i < 3; i++) reports.push(await sup.cycle());
    expect(reports.every((r) => r.slurmUnavailable)).toBe(true);
    expect((await store.mustGetRun(run.id)).state).toBe("running");
    expect(await store.events(run.id)).toHaveLength(before);
    // the failures are counted for the dashboard: a running total, and the ones in a row with the last error
    const cluster = (await store.mustGetRun(run.id)).cluster;
    expect(Number(await t.redis.hget(keys.slurmPollFailures(), cluster))).toBe(3);
    expect(await t.redis.hget(keys.slurmPollStreak(), cluster)).toBe("3");
    expect(await t.redis.hget(keys.slurmPollStreak(), `${cluster}:error`)).toBeTruthy();

    exec.down = false;
    for (let i = 0; i < 100 && (await store.mustGetRun(run.id)).state !== "completed"; i++) {
      await sup.cycle();
      await new Promise((r) => setTimeout(r, 200));
    }
    const final = await store.mustGetRun(run.id);
    expect(final.state).toBe("completed");
    expect(final.attempts).toBe(1);
    // a good poll ends the streak; the running total stays
    expect(await t.redis.hgetall(keys.slurmPollStreak())).toEqual({});
    expect(Number(await t.redis.hget(keys.slurmPollFailures(), cluster))).toBe(3);
  }, 600_000);
});
