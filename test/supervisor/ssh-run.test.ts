import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createExecutor } from "@neoxctl/exec";
import {
  cachingResolver,
  createRun,
  execTargetOf,
  Keys,
  LeaseManager,
  RunStore,
  Supervisor
} from "@neoxctl/supervisor";
import { SSH_FILES, SSHD_HOST, SSHD_PORT } from "../support/targets.ts";
import { REPO_ROOT, removeScenario, scenarioInputs } from "./scenario.ts";
import { testRedis } from "./redis-helpers.ts";
import { cycleUntil } from "./harness.ts";

describe("supervising a cluster reached over SSH (test sshd on 127.0.0.1:2222)", () => {
  const inputs = scenarioInputs({
    name: "sshrun",
    trainIters: 40,
    lr: 0.0001,
    env: { NEOX_EMU_STEP_MS: "20" }
  });
  inputs.profile.access = {
    kind: "ssh",
    host: SSHD_HOST,
    port: SSHD_PORT,
    user: "root",
    identity_file: SSH_FILES.identityFile,
    known_hosts_file: SSH_FILES.knownHosts
  };
  const clusters = cachingResolver();
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await clusters.closeAll();
    await cleanup?.();
    removeScenario(inputs);
  });

  it("uploads the run directory over SFTP, submits and follows the job through ssh, and completes", async () => {
    const t = await testRedis("ssh");
    cleanup = t.cleanup;
    const keys = new Keys(t.prefix);
    const store = new RunStore(t.redis, keys);
    const exec = await createExecutor(execTargetOf(inputs.profile.access));
    const run = await createRun(store, exec, { ...inputs, repoRoot: REPO_ROOT });
    await exec.close();
    expect(existsSync(join(inputs.runDir, "job.sbatch"))).toBe(true);
    expect(existsSync(join(inputs.runDir, "attempts/1/neox/attempt.yml"))).toBe(true);

    const log: string[] = [];
    const sup = new Supervisor(store, new LeaseManager(t.redis, keys, "sup-ssh", 5000), clusters, {
      log: (l) => log.push(l)
    });
    await cycleUntil(sup, async () => (await store.mustGetRun(run.id)).state === "completed", 400);
    await sup.release();
    expect((await store.mustGetRun(run.id)).state, log.join("\n")).toBe("completed");
  }, 300_000);
});
