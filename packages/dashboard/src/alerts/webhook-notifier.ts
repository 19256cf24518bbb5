import type { RunReadModel } from "../model/read-model.ts";
import type { Alert } from "./alert.ts";
import { alertSeverity, resolvesByItself } from "./alert.ts";
import { alertForNotice } from "./event-alerts.ts";
import type { SupervisorNotice } from "./event-alerts.ts";
import type { AlertStateStore, OpenAlert } from "./alert-state.ts";
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
  /** open alerts, resolved alerts and rate-limit slots, in Redis (they outlive this process) */
  state: AlertStateStore;
  /** one alert per run and kind per this interval (across restarts and processes) */
  rateLimitMs?: number;
  /** the clock for the times recorded with open and resolved alerts */
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

/**
 * The one alert path: the supervisor's `notify` queue hands each notable event to `notify`, which
 * turns it into a Slack-compatible message with a link to the run page, picks its route (the run's
 * own webhooks, else its team's, else the global list, each with a minimum severity), drops it
 * when a silence covers the run or its team, and queues its delivery. `notify` only reads Redis and
 * enqueues, so a slow or dead webhook never holds up the supervisor; delivery retries with backoff
 * inside the queue and logs webhook URLs redacted. Alerts a run can get over by itself (slowdown,
 * rollback, repeated node failures) stay open in Redis (`AlertStateStore`) until the run trains past
 * the step it was at, then a "resolved" message goes to the run's route; the rate limit is kept
 * there too, so a restarted supervisor neither pages again nor forgets to send "resolved".
 */
export class WebhookNotifier {
  readonly queue: WebhookQueue;
  readonly stats: NotifierStats = { sent: 0, silenced: 0, unrouted: 0, resolved: 0 };
  private readonly rateLimitMs: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  constructor(private readonly opts: WebhookNotifierOptions) {
    const {
      model: _model,
      baseUrl: _baseUrl,
      docsBaseUrl: _docs,
      state: _state,
      rateLimitMs: _rate,
      now: _now,
      routes: _routes,
      silences: _silences,
      resolveCheckMs: _resolve,
      ...queueOpts
    } = opts;
    this.queue = new WebhookQueue(queueOpts);
    this.rateLimitMs = opts.rateLimitMs ?? 10 * 60_000;
    this.now = opts.now ?? Date.now;
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
    if (!(await this.opts.state.takeSlot(alert.runId, alert.kind, this.rateLimitMs))) return;
    this.stats.sent += 1;
    this.queue.enqueueTo(
      choice.urls,
      slackMessage(alert, this.opts.baseUrl, this.opts.docsBaseUrl),
      `${alert.kind}:${alert.runId}`
    );
    if (resolvesByItself(alert.kind))
      await this.opts.state.open({
        kind: alert.kind,
        runId: alert.runId,
        runName: alert.runName,
        step: run.step,
        via: choice.via,
        openedAt: new Date(this.now()).toISOString()
      });
  };

  /** The alerts still open, as Redis has them (tests, logs). */
  async openAlerts(): Promise<{ runId: string; kind: Alert["kind"]; step: number }[]> {
    const { alerts } = await this.opts.state.openAlerts();
    return alerts.map((o) => ({ runId: o.runId, kind: o.kind, step: o.step }));
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
    let open: OpenAlert[];
    try {
      const read = await this.opts.state.openAlerts();
      if (read.dropped > 0)
        this.opts.logger?.warn({ dropped: read.dropped }, "unreadable open-alert records removed");
      open = read.alerts;
    } catch (e) {
      // Redis is away: the next check tries again, nothing is lost
      this.opts.logger?.warn({ error: e instanceof Error ? e.message : String(e) }, "open alerts unreadable");
      return;
    }
    for (const o of open) {
      try {
        await this.resolveOne(o);
      } catch {
        // the run or Redis could not be read: this alert stays open for the next check
        continue;
      }
    }
  }

  private async resolveOne(o: OpenAlert): Promise<void> {
    const run = await this.opts.model.getRun(o.runId);
    if (!run || (run.state !== "running" && run.state !== "queued" && run.state !== "recovering")) {
      await this.opts.state.drop(o);
      return;
    }
    if (run.state !== "running" || run.step <= o.step) return;
    // everything that can fail is read before the record is taken, so a failed read leaves it open
    const routing: RunRouting = (await this.opts.model.alertRouting?.(run.id)) ?? {};
    const silenced = await this.isSilenced(run.id, routing);
    const choice = routeAlert(alertSeverity(o.kind), routing, this.routes, this.opts.urls);
    // whoever removes the record sends the message; another supervisor may have got there first
    if (!(await this.opts.state.close(o))) return;
    if (silenced) {
      this.stats.silenced += 1;
      return;
    }
    if (choice.urls.length === 0) {
      this.stats.unrouted += 1;
      return;
    }
    this.stats.resolved += 1;
    this.queue.enqueueTo(
      choice.urls,
      resolvedMessage(
        {
          kind: o.kind,
          runId: run.id,
          runName: run.name,
          summary: `training again without help: step ${run.step} / ${run.trainIters} (was ${o.step} at the alert)`
        },
        this.opts.baseUrl
      ),
      `resolved:${o.kind}:${run.id}`
    );
    await this.opts.state.recordResolved({
      ...o,
      resolvedStep: run.step,
      resolvedAt: new Date(this.now()).toISOString()
    });
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.queue.close();
  }
}
