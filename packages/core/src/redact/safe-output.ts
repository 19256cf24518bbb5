import { escapeControls } from "./escape-controls.ts";
import type { EscapeOptions } from "./escape-controls.ts";
import { redactSecrets } from "./redact.ts";

/** Text about to be shown anywhere: secrets masked, then control characters made visible. */
export function safeText(text: string, opts: EscapeOptions & { secrets?: readonly string[] } = {}): string {
  return escapeControls(redactSecrets(text, opts.secrets), opts);
}

/**
 * A copy of `value` with every string (keys included) passed through `redactSecrets`, for output
 * that is serialized afterwards: redacting serialized JSON would miss a secret that serialization
 * escaped (a `"` or `\` in it).
 */
function redactValue(value: unknown, secrets: readonly string[] = []): unknown {
  if (typeof value === "string") return redactSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((v: unknown) => redactValue(v, secrets));
  if (value !== null && typeof value === "object") {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      // Dates, errors, class instances: serialize as JSON would, then redact that
      const json = (value as { toJSON?: () => unknown }).toJSON;
      if (typeof json === "function") return redactValue(json.call(value), secrets);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, redactSecrets(k, secrets), {
        value: redactValue(v, secrets),
        enumerable: true,
        writable: true,
        configurable: true
      });
    }
    return out;
  }
  return value;
}

/** JSON for any output: strings redacted, and controls JSON leaves raw (C1, bidi) escaped. */
export function safeJson(
  value: unknown,
  opts: { indent?: number; secrets?: readonly string[] } = {}
): string {
  const text = JSON.stringify(redactValue(value, opts.secrets), null, opts.indent) ?? "null";
  return escapeControls(text, { keepLineBreaks: true });
}
