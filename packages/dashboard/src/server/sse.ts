import type { ServerResponse } from "node:http";
import { safeJson } from "@neoxctl/core";
import type { RunChange } from "../model/read-model.ts";

export interface SseLimits {
  /** open streams over all clients */
  maxClients: number;
  /** open streams from one client address */
  maxPerClient: number;
}

export const DEFAULT_SSE_LIMITS: SseLimits = { maxClients: 200, maxPerClient: 8 };

/** Whether one more stream may open: every open stream holds a socket and a timer slot. */
export type SseAdmission = "ok" | "server_full" | "client_full";

/**
 * Fans model changes out to browsers as server-sent events. Bursts are coalesced: a run that logs
 * many steps a second causes one message per interval, and pages re-fetch what they show.
 */
export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly perClient = new Map<string, number>();
  private pending = new Set<string>();
  private allRuns = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly coalesceMs = 250,
    private readonly limits: SseLimits = DEFAULT_SSE_LIMITS
  ) {
    // proxies close idle connections; a comment line keeps them open
    this.heartbeat = setInterval(() => this.write(": ping\n\n"), 15_000);
    this.heartbeat.unref();
  }

  admit(client: string): SseAdmission {
    if (this.clients.size >= this.limits.maxClients) return "server_full";
    if ((this.perClient.get(client) ?? 0) >= this.limits.maxPerClient) return "client_full";
    return "ok";
  }

  add(res: ServerResponse, client = ""): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no"
    });
    res.write("retry: 2000\n\n");
    this.clients.add(res);
    this.perClient.set(client, (this.perClient.get(client) ?? 0) + 1);
    res.on("close", () => {
      if (!this.clients.delete(res)) return;
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
    });
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
    const data = safeJson({ runs: [...this.pending], all: this.allRuns });
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
    this.perClient.clear();
  }
}
