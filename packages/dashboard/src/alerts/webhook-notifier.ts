import type { RunReadModel } from "../model/read-model.ts";
import type { Alert } from "./alert.ts";
import { alertSeverity, resolvesByItself } from "./alert.ts";
import { alertForNotice } from "./event-alerts.ts";
import type { SupervisorNotice } from "./event-alerts.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { NO_ROUTES, routeAlert } from "./routes.ts";
import type { AlertRoutes, RouteChoice, RunRouting } from "./routes.ts";
import type { SilenceStore } from "./silences.ts";
import { resolvedMessage, slackMessage } from "./slack-message.ts";
import { WebhookQueue } from "./webhook-queue.ts";
import type { AlertLogger, WebhookQueueOptions } from "./webhook-queue.ts";

export interface WebhookNotifierOptions extends Omit<WebhookQueueOptions, "logger"> {
  model: RunReadModel;
  /** the dashboard's public URL, for the run link in each alert */
  baseUrl: string;
  /** where runbook links point (default: the dashboard's /runbook/ pages) */
  docsBaseUrl?: string;
  /** one alert per run and kind per this interval */
  rateLimitMs?: number;
  now?: () => number;
  logger?: AlertLogger;
  /** named webhooks, team routes and the global minimum severity (`urls` is the global list) */
  routes?: AlertRoutes;
  /** silences in force suppress matching alerts and resolved messages */
  silences?: SilenceStore;
  /** how often open alerts are checked for a run that got over them by itself (0: only on notify) */
  resolveCheckMs?: number;
}

/** Counts of what the notifier did with alerts it built (tests, logs). */
export interface NotifierStats {
  sent: number;
  silenced: number;
  unrouted: number;
  resolved: number;
}

/** An alert the run may get over by itself: where it went and the step the run was at. */
interface OpenAlert {
  alert: Alert;
  step: number;
  urls: string[];
  routing: RunRouting;
}

/**
 * The one alert path: the supervisor's `notify` queue hands each notable event to `notify`, which
 * turns it into a Slack-compatible message with a link to the run page, picks its route (the run's
 * own webhooks, else its team's, else the global list, each with a minimum severity), drops it
 * when a silence covers the run or its team, and queues its delivery. `notify` only reads Redis and
 * enqueues, so a slow or dead webhook never holds up the supervisor; delivery retries with backoff
 * inside the queue and logs webhook URLs redacted. Alerts a run can get over by itself (slowdown,
 * rollback, repeated node failures) stay open in memory until the run trains past the step it was
 * at, then a "resolved" message goes to the same place (a restart forgets open alerts).
 */
export class WebhookNotifier {
  readonly queue: WebhookQueue;
  readonly stats: NotifierStats = { sent: 0, silenced: 0, unrouted: 0, resolved: 0 };
  private readonly limiter: RateLimiter;
  private readonly open = new Map<string, OpenAlert>();
  private readonly timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  constructor(private readonly opts: WebhookNotifierOptions) {
    const {
      model: _model,
      baseUrl: _baseUrl,
      docsBaseUrl: _docs,
      rateLimitMs: _rate,
      now: _now,
      routes: _routes,
      silences: _silences,
      resolveCheckMs: _resolve,
      ...queueOpts
    } = opts;
    this.queue = new WebhookQueue(queueOpts);
    this.limiter = new RateLimiter(opts.rateLimitMs ?? 10 * 60_000, opts.now);
    const every = opts.resolveCheckMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.checkResolved(), every);
      this.timer.unref();
    }
  }

  private get routes(): AlertRoutes {
    return this.opts.routes ?? NO_ROUTES;
  }

  private async isSilenced(runId: string, routing: RunRouting): Promise<boolean> {
    if (!this.opts.silences) return false;
    const found = await this.opts.silences.matching({ runId, team: routing.team });
    return found.length > 0;
  }

  /** Fits the supervisor's `WorkerOptions.notify`. */
  readonly notify = async (n: SupervisorNotice): Promise<void> => {
    // no early exit without global webhooks: a run's spec may name its own
    const run = await this.opts.model.getRun(n.runId);
    if (!run) return;
    const alert = await alertForNotice(n, run, this.opts.model);
    if (!alert) return;
    const routing = (await this.opts.model.alertRouting?.(run.id)) ?? {};
    const choice: RouteChoice = routeAlert(alertSeverity(alert.kind), routing, this.routes, this.opts.urls);
    if (choice.urls.length === 0) {
      this.stats.unrouted += 1;
      this.opts.logger?.info({ alert: `${alert.kind}:${alert.runId}`, via: choice.via }, "alert not routed");
      return;
    }
    if (await this.isSilenced(run.id, routing)) {
      this.stats.silenced += 1;
      this.opts.logger?.info({ alert: `${alert.kind}:${alert.runId}` }, "alert silenced");
      return;
    }
    if (!this.limiter.take(`${alert.runId}\u0000${alert.kind}`)) return;
    this.stats.sent += 1;
    this.queue.enqueueTo(
      choice.urls,
      slackMessage(alert, this.opts.baseUrl, this.opts.docsBaseUrl),
      `${alert.kind}:${alert.runId}`
    );
    if (resolvesByItself(alert.kind))
      this.open.set(`${alert.runId}\u0000${alert.kind}`, {
        alert,
        step: run.step,
        urls: choice.urls,
        routing
      });
  };

  /** The alerts still open (tests, logs). */
  openAlerts(): { runId: string; kind: Alert["kind"]; step: number }[] {
    return [...this.open.values()].map((o) => ({ runId: o.alert.runId, kind: o.alert.kind, step: o.step }));
  }

  /**
   * Sends "resolved" for each open alert whose run is running again past the step it was at; drops
   * open alerts of runs that stopped (a human takes it from there). One check at a time.
   */
  checkResolved(): Promise<void> {
    this.checking ??= this.resolveOnce().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async resolveOnce(): Promise<void> {
    for (const [key, o] of [...this.open]) {
      let run;
      try {
        run = await this.opts.model.getRun(o.alert.runId);
      } catch {
        continue;
      }
      if (!run || (run.state !== "running" && run.state !== "queued" && run.state !== "recovering")) {
        this.open.delete(key);
        continue;
      }
      if (run.state !== "running" || run.step <= o.step) continue;
      this.open.delete(key);
      if (await this.isSilenced(run.id, o.routing)) {
        this.stats.silenced += 1;
        continue;
      }
      this.stats.resolved += 1;
      this.queue.enqueueTo(
        o.urls,
        resolvedMessage(
          {
            kind: o.alert.kind,
            runId: run.id,
            runName: run.name,
            summary: `training again without help: step ${run.step} / ${run.trainIters} (was ${o.step} at the alert)`
          },
          this.opts.baseUrl
        ),
        `resolved:${o.alert.kind}:${run.id}`
      );
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.queue.close();
  }
}
