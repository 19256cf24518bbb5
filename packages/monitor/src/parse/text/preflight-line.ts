import type { LogEvent } from "../events.ts";

/**
 * The one line a neoxctl batch script prints when an input is missing before any rank starts
 * (packages/plan preflight.ts): `neoxctl-preflight: FAIL <what>: <path>`. `what` names the input
 * (checkpoint, data, image, launcher, overlay, venv, config, prebuild).
 */
const FAIL = /^neoxctl-preflight: FAIL ([a-z_]+): (.*)$/;

export function parsePreflightLine(line: string): LogEvent | null {
  const m = FAIL.exec(line.trim());
  if (!m) return null;
  return { kind: "preflight_failed", what: m[1] ?? "", path: m[2] ?? "", message: line.trim() };
}
