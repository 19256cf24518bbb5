import { redactSecrets, redactUrl } from "@neoxctl/core";

/** The slice of a pino logger the queue writes to. */
export interface AlertLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WebhookQueueOptions {
  urls: readonly string[];
  /** total tries per message and URL, the first included */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  /** oldest messages are dropped past this many pending deliveries */
  maxPending?: number;
  logger?: AlertLogger;
}

interface Delivery {
  url: string;
  body: string;
  attempt: number;
  label: string;
}

export interface QueueStats {
  delivered: number;
  failed: number;
  retried: number;
  dropped: number;
  pending: number;
}

/**
 * Fire-and-forget delivery: `enqueue` returns at once and never throws, so alerting can never hold
 * up whatever noticed the problem. Failures (network, 5xx, 429) are retried with exponential
 * backoff; other 4xx answers mean the hook itself is wrong and are not retried.
 */
export class WebhookQueue {
  readonly stats: QueueStats = { delivered: 0, failed: 0, retried: 0, dropped: 0, pending: 0 };
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly opts: WebhookQueueOptions) {}

  enqueue(payload: unknown, label: string): void {
    this.enqueueTo(this.opts.urls, payload, label);
  }

  /** The same, to the given URLs instead of the queue's list (routed alerts). */
  enqueueTo(urls: readonly string[], payload: unknown, label: string): void {
    if (this.closed) return;
    const body = JSON.stringify(payload);
    for (const url of urls) this.schedule({ url, body, attempt: 1, label }, 0);
  }

  private schedule(d: Delivery, delayMs: number): void {
    if (this.stats.pending >= (this.opts.maxPending ?? 1000)) {
      this.stats.dropped += 1;
      this.log("warn", d, "alert dropped: too many pending deliveries");
      return;
    }
    this.stats.pending += 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const p = this.deliver(d).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }, delayMs);
    this.timers.add(timer);
  }

  private async deliver(d: Delivery): Promise<void> {
    let problem: string | undefined;
    let retry = true;
    try {
      const res = await fetch(d.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: d.body,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000)
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) {
        problem = `HTTP ${res.status}`;
        retry = res.status >= 500 || res.status === 429 || res.status === 408;
      }
    } catch (e) {
      problem =
        e instanceof Error
          ? `${e.name}: ${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ""}`
          : String(e);
    }
    this.stats.pending -= 1;
    if (problem === undefined) {
      this.stats.delivered += 1;
      this.log("info", d, "alert delivered");
      return;
    }
    const max = this.opts.maxAttempts ?? 6;
    if (!retry || d.attempt >= max || this.closed) {
      this.stats.failed += 1;
      this.log("warn", d, "alert not delivered", problem);
      return;
    }
    this.stats.retried += 1;
    const base = this.opts.baseDelayMs ?? 1000;
    const delay =
      Math.min(this.opts.maxDelayMs ?? 60_000, base * 2 ** (d.attempt - 1)) * (0.75 + Math.random() * 0.5);
    this.log("warn", d, `alert delivery failed; retrying in ${Math.round(delay)} ms`, problem);
    this.schedule({ ...d, attempt: d.attempt + 1 }, delay);
  }

  private log(level: "info" | "warn", d: Delivery, msg: string, problem?: string): void {
    const obj = {
      webhook: redactUrl(d.url),
      alert: d.label,
      attempt: d.attempt,
      ...(problem ? { problem: redactSecrets(problem, [...this.opts.urls, d.url]) } : {})
    };
    this.opts.logger?.[level](obj, msg);
  }

  /** Resolves once nothing is pending (tests, graceful shutdown). */
  async drain(): Promise<void> {
    while (this.stats.pending > 0 || this.inflight.size > 0) {
      await Promise.race([...this.inflight, new Promise((r) => setTimeout(r, 20))]);
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.stats.pending -= this.timers.size;
    this.timers.clear();
  }
}
