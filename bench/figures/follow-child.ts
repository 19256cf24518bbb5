/**
 * The follower side of the follow_runs figure, in its own process so its CPU and memory are its
 * own: one MultiFollower over every log, each new line parsed and fed to that run's spike detector,
 * as the supervisor does. Prints one JSON line with per-second CPU share and RSS samples.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { LocalExecutor } from "@neoxctl/exec";
import { LineParser, MultiFollower, RobustSpikeDetector } from "@neoxctl/monitor";

const [dir, intervalArg, warmupArg, secondsArg] = process.argv.slice(2);
if (!dir || !intervalArg || !warmupArg || !secondsArg)
  throw new Error("usage: follow-child <dir> <intervalMs> <warmupMs> <seconds>");

const exec = new LocalExecutor();
const parser = new LineParser("neox");
const detectors = new Map<string, RobustSpikeDetector>();
let lines = 0;
let alarms = 0;
const follower = new MultiFollower({
  intervalMs: Number(intervalArg),
  onData: (key, result) => {
    let det = detectors.get(key);
    if (!det) detectors.set(key, (det = new RobustSpikeDetector()));
    for (const line of result.lines) {
      lines++;
      const ev = parser.parse(line);
      if (ev?.kind === "train" && ev.loss !== null)
        for (const d of det.push({ step: ev.step, loss: ev.loss })) if (d.type === "alarm") alarms++;
    }
  }
});
for (const f of await readdir(dir)) follower.add(f, exec, join(dir, f));
follower.start();
await new Promise((r) => setTimeout(r, Number(warmupArg)));

const cpuPct: number[] = [];
const rssMb: number[] = [];
const linesAtStart = lines;
for (let s = 0; s < Number(secondsArg); s++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 1000));
  const c = process.cpuUsage(c0);
  cpuPct.push(((c.user + c.system) / 1000 / (performance.now() - t0)) * 100);
  rssMb.push(process.memoryUsage().rss / 1024 / 1024);
}
await follower.stop();
process.stdout.write(
  JSON.stringify({
    files: follower.size,
    cpuPct,
    rssMb,
    linesPerS: (lines - linesAtStart) / Number(secondsArg),
    alarms
  }) + "\n"
);
