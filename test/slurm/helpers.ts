import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JobStatus, SlurmClient, StatusPoller, PollResult } from "@neoxctl/slurm";

/** Writes small batch scripts into one temp dir (the SSH target is this machine, so both see it). */
export async function scriptDir(
  prefix: string
): Promise<{ dir: string; script: (name: string, body: string) => Promise<string> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return {
    dir,
    async script(name, body) {
      const path = join(dir, name);
      await writeFile(path, `#!/bin/bash\n${body}\n`);
      await chmod(path, 0o755);
      return path;
    }
  };
}

/**
 * Polls until `done` holds for the job, returning the last poll. Gives up after `limitMs` with the
 * last status seen, so a failing test says where the job got stuck.
 */
export async function pollUntil(
  poller: StatusPoller,
  ids: readonly string[],
  done: (s: JobStatus | undefined, r: PollResult) => boolean,
  limitMs: number,
  jobId: string = ids[0] ?? ""
): Promise<PollResult> {
  const deadline = Date.now() + limitMs;
  let last: PollResult | undefined;
  for (;;) {
    last = await poller.poll(ids);
    if (done(last.statuses.get(jobId), last)) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `job ${jobId} did not reach the expected state; last: ${JSON.stringify(last.statuses.get(jobId))}`
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Best-effort clean-up used in afterAll/finally: never throws. */
export async function cleanUp(
  client: SlurmClient,
  jobs: readonly string[],
  downedNodes: readonly string[]
): Promise<void> {
  await client.cancel(jobs).catch(() => undefined);
  for (const n of downedNodes) await client.setNodeState([n], "resume").catch(() => undefined);
}
