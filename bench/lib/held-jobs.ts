import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Every job the benchmarks submit carries this name, so clean-up can never touch anyone else's. */
const BENCH_JOB_NAME = "neoxctl-bench-held";

/** One held job; a controller that is briefly unreachable (restarted by someone else) is retried. */
async function sbatchHeld(): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { stdout } = await run("sbatch", [
        "--parsable",
        "--hold",
        `--job-name=${BENCH_JOB_NAME}`,
        "--output=/dev/null",
        "--wrap=sleep 1"
      ]);
      return stdout.trim().split(";")[0]!;
    } catch (e) {
      if (attempt >= 15 || !/Unable to contact slurm controller/i.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** Submits `count` held jobs (they never run) with a few sbatch calls in flight at once. */
export async function submitHeld(count: number, parallel = 6): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      ids.push(await sbatchHeld());
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return ids.sort((a, b) => Number(a) - Number(b));
}

/** Cancels every benchmark-held job (by name, so an interrupted earlier run is cleaned too). */
export async function cancelHeld(): Promise<void> {
  await run("scancel", [`--name=${BENCH_JOB_NAME}`]).catch(() => undefined);
}
