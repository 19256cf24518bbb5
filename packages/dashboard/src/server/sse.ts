import type { ServerResponse } from "node:http";
import type { RunChange } from "../model/read-model.ts";

/**
 * Fans model changes out to browsers as server-sent events. Bursts are coalesced: a run that logs
 * many steps a second causes one message per interval, and pages re-fetch what they show.
 */
export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private pending = new Set<string>();
  private allRuns = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly coalesceMs = 250) {
    // proxies close idle connections; a comment line keeps them open
    this.heartbeat = setInterval(() => this.write(": ping\n\n"), 15_000);
    this.heartbeat.unref();
  }

  add(res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no"
    });
    res.write("retry: 2000\n\n");
    this.clients.add(res);
    res.on("close", () => this.clients.delete(res));
  }

  get size(): number {
    return this.clients.size;
  }

  publish(change: RunChange): void {
    if (change.kind === "runs") this.allRuns = true;
    else this.pending.add(change.runId);
    this.timer ??= setTimeout(() => this.flush(), this.coalesceMs);
  }

  private flush(): void {
    this.timer = undefined;
    const data = JSON.stringify({ runs: [...this.pending], all: this.allRuns });
    this.pending = new Set();
    this.allRuns = false;
    this.write(`event: change\ndata: ${data}\n\n`);
  }

  private write(chunk: string): void {
    for (const c of this.clients) c.write(chunk);
  }

  close(): void {
    clearInterval(this.heartbeat);
    if (this.timer) clearTimeout(this.timer);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
