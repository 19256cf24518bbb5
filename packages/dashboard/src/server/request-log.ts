import type { FastifyServerOptions } from "fastify";
import { safeText } from "@neoxctl/core";

export type RequestLogOption = boolean | { level?: string; stream?: NodeJS.WritableStream } | undefined;

const REDACT = ["req.headers.authorization", "req.headers.cookie", "headers.authorization", "headers.cookie"];

interface LoggedRequest {
  method?: string;
  url?: string;
  ip?: string;
}

interface LoggedError {
  name?: string;
  message?: string;
  stack?: string;
  code?: unknown;
}

/**
 * Request log lines: the path without its query string (a token or URL may travel there), no
 * headers, and error messages and stacks through the one redaction and control escape.
 */
const serializers = {
  req(req: LoggedRequest): Record<string, unknown> {
    return { method: req.method, url: safeText((req.url ?? "").split("?")[0] ?? ""), remoteAddress: req.ip };
  },
  err(err: LoggedError): { type: string; message: string; stack: string; [key: string]: unknown } {
    return {
      type: err.name ?? "Error",
      message: safeText(err.message ?? ""),
      ...(typeof err.code === "string" ? { code: err.code } : {}),
      stack: safeText(err.stack ?? "", { keepLineBreaks: true })
    };
  }
};

export function loggerOption(logger: RequestLogOption): FastifyServerOptions["logger"] {
  if (logger === undefined || logger === false) return false;
  if (logger === true) return { level: "info", redact: REDACT, serializers };
  return {
    level: logger.level ?? "info",
    redact: REDACT,
    serializers,
    ...(logger.stream ? { stream: logger.stream } : {})
  };
}
