/**
 * Cost of following many growing logs from one process: one MultiFollower over N files that a
 * child process appends NeoX training + timer lines to, at NeoX's line rate sped up 100× (a 10 s
 * step with log_interval 1 becomes one line pair per file every 100 ms). Measures this process's
 * CPU (% of one core) and RSS while following. Run: `npx tsx bench/follow-logs.ts [seconds]`.
 * Writes bench/results/follow-logs.json. Not a test: the figures depend on the machine.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LocalExecutor } from "@neoxctl/exec";
import { LineParser, MultiFollower } from "@neoxctl/monitor";

const SECONDS = Number(process.argv[2] ?? 10);
const COUNTS = [10, 100, 1000];
const POLL_MS = 1000;
const WRITE_EVERY_MS = 100;

// the writer: every 100 ms, one training line and one timer line to every file
const WRITER = `
const fs = require("node:fs");
const [dir, n, every] = process.argv.slice(1);
const fds = Array.from({ length: Number(n) }, (_, i) => fs.openSync(dir + "/" + i + ".log", "a"));
let it = 0;
setInterval(() => {
  it++;
  const loss = (2 + Math.random() * 0.05).toExponential(6).toUpperCase().replace("E+", "E+0").replace("E-", "E-0");
  const line = " samples/sec: 83.252 | iteration " + String(it).padStart(8) + "/  143000 | elapsed time per iteration (ms): 10000.0 | learning rate: 2.500E-05 | approx flops per GPU: 95.7TFLOPS | lm_loss: " + loss + " | number of skipped iterations:   0 | number of nan iterations:   0 |\\ntime (ms) | forward: 3123.45 | backward: 6234.56 | optimizer: 512.34 | batch generator: 12.34\\n";
  for (const fd of fds) fs.writeSync(fd, line);
}, Number(every));
`;

interface Result {
  files: number;
  seconds: number;
  pollMs: number;
  cpuPctOfOneCore: number;
  rssMb: number;
  linesPerSecond: number;
  trainEventsParsed: number;
}

async function measure(files: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "follow-bench-"));
  for (let i = 0; i < files; i++) writeFileSync(join(dir, `${i}.log`), "");
  const writer = spawn(process.execPath, ["-e", WRITER, dir, String(files), String(WRITE_EVERY_MS)], {
    stdio: "ignore"
  });
  let lines = 0;
  let train = 0;
  const parser = new LineParser("neox");
  const follower = new MultiFollower({
    intervalMs: POLL_MS,
    concurrency: 32,
    onData: (_key, r) => {
      lines += r.lines.length;
      for (const l of r.lines) if (parser.parse(l)?.kind === "train") train++;
    }
  });
  const ex = new LocalExecutor();
  for (let i = 0; i < files; i++) follower.add(`run${i}`, ex, join(dir, `${i}.log`));
  follower.start();
  await new Promise((r) => setTimeout(r, 2000)); // let the writer and first sweeps settle
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const lines0 = lines;
  let rssMax = 0;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 250);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpu = process.cpuUsage(cpu0);
  const elapsedMs = performance.now() - t0;
  clearInterval(sampler);
  await follower.stop();
  writer.kill();
  rmSync(dir, { recursive: true, force: true });
  return {
    files,
    seconds: SECONDS,
    pollMs: POLL_MS,
    cpuPctOfOneCore: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10,
    rssMb: Math.round(rssMax / 1024 / 1024),
    linesPerSecond: Math.round(((lines - lines0) / elapsedMs) * 1000),
    trainEventsParsed: train
  };
}

const results: Result[] = [];
for (const n of COUNTS) {
  const r = await measure(n);
  results.push(r);
  console.log(`${n} files: ${r.cpuPctOfOneCore}% CPU, ${r.rssMb} MB RSS, ${r.linesPerSecond} lines/s`);
}
const out = resolve(import.meta.dirname, "results", "follow-logs.json");
writeFileSync(
  out,
  JSON.stringify({ node: process.version, writeEveryMs: WRITE_EVERY_MS, results }, null, 2) + "\n"
);
console.log("\n| files | CPU % of one core | RSS MB | lines/s followed |\n|---|---|---|---|");
for (const r of results)
  console.log(`| ${r.files} | ${r.cpuPctOfOneCore} | ${r.rssMb} | ${r.linesPerSecond} |`);
console.log(`\nwrote ${out}`);
