/**
 * Python's str.format number renderings used in NeoX log lines. JS toExponential/toFixed differ
 * from Python in the exponent shape (`e-5` vs `E-05`), in nan/inf spelling and in float repr, and a
 * log parser written against real NeoX output must accept ours unchanged.
 */

import { expHalfEven, fixedHalfEven } from "./decimal-round.ts";

/** Python `"{:.<digits>E}".format(x)`. */
export function formatExp(x: number, digits: number): string {
  if (Number.isNaN(x)) return "NAN";
  if (x === Infinity) return "INF";
  if (x === -Infinity) return "-INF";
  const { mantissa, exponent } = expHalfEven(x, digits);
  const sign = exponent < 0 ? "-" : "+";
  return `${mantissa}E${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

/** Python `"{:.<digits>f}".format(x)`. */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return fixedHalfEven(x, digits);
}

/** Python `"{:<width>d}".format(n)`: right-aligned in `width` characters, never truncated. */
export function formatIntWidth(n: number, width: number): string {
  return String(Math.trunc(n)).padStart(width, " ");
}

/**
 * Python `repr(float)`: shortest round-trip digits (JS and Python agree on those), but Python
 * switches to exponent form below 1e-4 or from 1e16, and keeps a trailing `.0` on integral values.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(x);
  if (abs < 1e-4 || abs >= 1e16) {
    const js = x.toExponential(); // shortest digits
    const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(js);
    if (!m) throw new Error(`unexpected exponent form ${js}`);
    const [, mantissa, sign, exp] = m as unknown as [string, string, string, string];
    return `${mantissa}e${sign}${exp.padStart(2, "0")}`;
  }
  const s = String(x);
  return s.includes(".") ? s : `${s}.0`;
}

/** NeoX's human_readable_flops: `"%3.1f%s"` stepping through decimal units. */
export function humanReadableFlops(flops: number): string {
  const units = ["", "KFLOPS", "MFLOPS", "GFLOPS", "TFLOPS", "PFLOPS", "EFLOPS", "ZFLOPS"];
  let n = flops;
  for (const unit of units) {
    if (Math.abs(n) < 1000) return `${formatFixed(n, 1).padStart(3, " ")}${unit}`;
    n /= 1000;
  }
  return `${formatFixed(n, 1)}Yi`;
}
