import type { RunReadModel } from "../model/read-model.ts";
import { alertForNotice } from "./event-alerts.ts";
import type { SupervisorNotice } from "./event-alerts.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { slackMessage } from "./slack-message.ts";
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
}

/**
 * The one alert path: the supervisor's `notify` queue hands each notable event to `notify`, which
 * turns it into a Slack-compatible message with a link to the run page and queues its delivery.
 * `notify` only reads Redis and enqueues, so a slow or dead webhook never holds up the supervisor;
 * delivery retries with backoff inside the queue and logs webhook URLs redacted.
 */
export class WebhookNotifier {
  readonly queue: WebhookQueue;
  private readonly limiter: RateLimiter;

  constructor(private readonly opts: WebhookNotifierOptions) {
    const {
      model: _model,
      baseUrl: _baseUrl,
      docsBaseUrl: _docs,
      rateLimitMs: _rate,
      now: _now,
      ...queueOpts
    } = opts;
    this.queue = new WebhookQueue(queueOpts);
    this.limiter = new RateLimiter(opts.rateLimitMs ?? 10 * 60_000, opts.now);
  }

  /** Fits the supervisor's `WorkerOptions.notify`. */
  readonly notify = async (n: SupervisorNotice): Promise<void> => {
    if (this.opts.urls.length === 0) return;
    const run = await this.opts.model.getRun(n.runId);
    if (!run) return;
    const alert = await alertForNotice(n, run, this.opts.model);
    if (!alert || !this.limiter.take(`${alert.runId}\u0000${alert.kind}`)) return;
    this.queue.enqueue(
      slackMessage(alert, this.opts.baseUrl, this.opts.docsBaseUrl),
      `${alert.kind}:${alert.runId}`
    );
  };

  close(): void {
    this.queue.close();
  }
}
