import type { Command } from "commander";
import {
  SupervisorWorker,
  cachingResolver,
  connectRedis,
  defaultPrefix,
  Supervisor,
  Keys,
  RunStore,
  LeaseManager
} from "@neoxctl/supervisor";
import { hostname } from "node:os";
import { readFile } from "node:fs/promises";
import { redactUrl, registerSecrets } from "@neoxctl/core";
import {
  AlertStateStore,
  parseAlertRoutes,
  SilenceStore,
  SupervisorReadModel,
  WebhookNotifier
} from "@neoxctl/dashboard";
import { printJson, printLine, runAction } from "../output.ts";
import { readWebhooks } from "../alert-webhooks.ts";

interface SuperviseOptions {
  once?: boolean;
  pollIntervalMs: string;
  leaseTtlMs?: string;
  json?: boolean;
  webhookFile?: string;
  alertRoutesFile?: string;
  dashboardUrl: string;
}

const stamp = (): string => new Date().toISOString();

export function register(program: Command): void {
  program
    .command("supervise")
    .description(
      "Run the supervisor: poll Slurm and the training logs, recover runs, carry out manual controls"
    )
    .option("--once", "run one poll cycle and exit (no queues)")
    .option("--poll-interval-ms <ms>", "how often the one repeatable poll job runs", "5000")
    .option(
      "--lease-ttl-ms <ms>",
      "how long a run stays locked to this supervisor without renewal (default 10 × poll interval, ≥ 5 s)"
    )
    .option("--json", "with --once: print the cycle report as JSON")
    .option(
      "--webhook-file <file>",
      "file listing Slack-compatible webhook URLs for alerts (else $NEOXCTL_ALERT_WEBHOOKS and $NEOXCTL_WEBHOOK_URL)"
    )
    .option(
      "--alert-routes-file <file>",
      "YAML/JSON alert routes: named webhooks, a route per team label, minimum severities (else $NEOXCTL_ALERT_ROUTES_FILE); see docs/alert-routing.md"
    )
    .option(
      "--dashboard-url <url>",
      "public URL of `neoxctl dashboard`, for the run links in alerts",
      process.env.NEOXCTL_DASHBOARD_URL ?? "http://127.0.0.1:8080"
    )
    .action(async (opts: SuperviseOptions) =>
      runAction(opts.json === true, async () => {
        const interval = Number(opts.pollIntervalMs);
        const leaseTtlMs =
          opts.leaseTtlMs !== undefined ? Number(opts.leaseTtlMs) : Math.max(5000, interval * 10);
        const log = (line: string): void => printLine(`${stamp()} ${line}`);
        // read before connecting: a bad file must not leave a connection holding the process open
        const urls = opts.once === true ? [] : await readWebhooks(opts.webhookFile);
        const routesFile = opts.alertRoutesFile ?? process.env.NEOXCTL_ALERT_ROUTES_FILE;
        const routes =
          opts.once !== true && routesFile
            ? parseAlertRoutes(await readFile(routesFile, "utf8"), routesFile)
            : undefined;
        registerSecrets(Object.values(routes?.webhooks ?? {}));
        let lastRedisError = 0;
        const redis = connectRedis(undefined, (e) => {
          // one line per 10 s while Redis is away, not one per reconnect attempt
          if (Date.now() - lastRedisError > 10_000) log(`redis unavailable, waiting: ${e.message}`);
          lastRedisError = Date.now();
        });
        const clusters = cachingResolver();
        if (opts.once === true) {
          const keys = new Keys(defaultPrefix());
          const sup = new Supervisor(
            new RunStore(redis, keys),
            new LeaseManager(redis, keys, `${hostname()}:${process.pid}`, leaseTtlMs),
            clusters,
            { log, pollIntervalMs: interval }
          );
          let report;
          try {
            report = await sup.cycle();
          } finally {
            // also when the cycle fails: open connections would keep the process from exiting
            await sup.release().catch(() => undefined);
            await clusters.closeAll();
            redis.disconnect();
          }
          if (opts.json === true) printJson(report);
          else
            log(
              `cycle: ${report.leased}/${report.runs} runs, ${report.polled} jobs polled${report.corrupt.length ? `, ${report.corrupt.length} corrupt records skipped` : ""}${report.errors.length ? `, errors: ${report.errors.join("; ")}` : ""}`
            );
          return;
        }
        const line = (o: object, m: string): void => log(`alert: ${m} ${JSON.stringify(o)}`);
        const notifier = new WebhookNotifier({
          model: new SupervisorReadModel({ redis, prefix: defaultPrefix() }),
          // open alerts and rate-limit slots outlive this process: a restart neither re-pages nor forgets "resolved"
          state: new AlertStateStore(redis, defaultPrefix()),
          urls,
          ...(routes ? { routes } : {}),
          silences: new SilenceStore(redis, defaultPrefix()),
          baseUrl: opts.dashboardUrl,
          logger: { info: line, warn: line }
        });
        const worker = new SupervisorWorker(redis, clusters, {
          prefix: defaultPrefix(),
          pollIntervalMs: interval,
          leaseTtlMs,
          log,
          notify: notifier.notify
        });
        try {
          await worker.start();
        } catch (e) {
          await worker.stop().catch(() => undefined);
          await clusters.closeAll();
          redis.disconnect();
          throw e;
        }
        log(
          `supervising (poll every ${interval} ms, Redis prefix ${defaultPrefix()}, alerts to ${urls.map(redactUrl).join(", ") || "no global webhook"}${routes ? `, ${Object.keys(routes.teams).length} team routes from ${routesFile}` : ""})`
        );
        await new Promise<void>((done) => {
          const stop = (): void => {
            log("stopping: releasing leases");
            void worker.stop().then(async () => {
              // alerts still in flight get a few seconds, not the whole retry schedule
              await Promise.race([notifier.queue.drain(), new Promise((r) => setTimeout(r, 5000).unref())]);
              notifier.close();
              await clusters.closeAll();
              redis.disconnect();
              done();
            });
          };
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
      })
    );
}
