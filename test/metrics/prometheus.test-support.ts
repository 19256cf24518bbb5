import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** A port the kernel just handed out on loopback (free unless someone takes it in between). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * The shipped rules with every `for:` cut to 0s and the no-progress threshold cut to `noProgressS`,
 * so a test sees them fire in seconds; the expressions themselves are the shipped ones.
 */
export function quickRules(rulesPath: string, noProgressS: number): string {
  const text = readFileSync(rulesPath, "utf8");
  const out = text
    .replace(
      "neoxctl_run_last_progress_age_seconds > 1800",
      `neoxctl_run_last_progress_age_seconds > ${noProgressS}`
    )
    .replace(/^(\s+)for: \S+$/gm, "$1for: 0s");
  if (out === text || !out.includes(`> ${noProgressS}`))
    throw new Error("the shipped no-progress rule changed shape");
  return out;
}

export interface Alert {
  labels: Record<string, string>;
  state: "pending" | "firing" | "inactive";
}

export interface RunningPrometheus {
  url: string;
  alerts(): Promise<Alert[]>;
  targets(): Promise<{ health: string; lastError: string; scrapeUrl: string }[]>;
  stop(): Promise<void>;
  output(): string;
}

/** Debian's prometheus on loopback: temp data dir, 1 s scrape and evaluation, one `neoxctl` job. */
export async function startPrometheus(target: string, rules: string): Promise<RunningPrometheus> {
  const dir = mkdtempSync("/tmp/neoxctl-prometheus-");
  writeFileSync(join(dir, "neoxctl.rules.yml"), rules);
  writeFileSync(
    join(dir, "prometheus.yml"),
    [
      "global:",
      "  scrape_interval: 1s",
      "  evaluation_interval: 1s",
      "rule_files: [neoxctl.rules.yml]",
      "scrape_configs:",
      "  - job_name: neoxctl",
      `    static_configs: [{targets: ["${target}"]}]`,
      ""
    ].join("\n")
  );
  const port = await freePort();
  let log = "";
  const child: ChildProcess = spawn(
    "prometheus",
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn"
    ],
    { stdio: ["ignore", "pipe", "pipe"] }
  );
  child.stdout?.on("data", (c: Buffer) => (log += String(c)));
  child.stderr?.on("data", (c: Buffer) => (log += String(c)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false
    );
    if (ready) {
      return {
        url,
        async alerts() {
          const body = (await (await fetch(`${url}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } };
          return body.data.alerts;
        },
        async targets() {
          const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as {
            data: { activeTargets: { health: string; lastError: string; scrapeUrl: string }[] };
          };
          return body.data.activeTargets;
        },
        stop,
        output: () => log
      };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`prometheus did not become ready:\n${log}`);
}
