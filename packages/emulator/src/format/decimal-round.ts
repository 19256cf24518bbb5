/**
 * Python rounds exact binary ties half-to-even ("%.1f" % 1.25 == "1.2"), JS rounds them up
 * ((1.25).toFixed(1) == "1.3"). This module rounds the exact decimal expansion of a double so both
 * fixed and exponent renderings match Python digit for digit.
 */

interface Digits {
  /** significant digits without leading zeros, e.g. "125" */
  digits: string;
  /** decimal exponent of the first digit: value = 0.d1d2d3... × 10^(point) */
  point: number;
}

/** Exact decimal expansion of |x| (x finite, non-zero). toFixed(100) is exact for |x| ≥ ~1e-15. */
function exactDigits(abs: number): Digits {
  const fixed = abs >= 1e-15 ? abs.toFixed(100) : abs.toExponential(99);
  if (fixed.includes("e")) {
    const [m = "", e = "0"] = fixed.split("e");
    const digits = m.replace(".", "").replace(/0+$/, "");
    return { digits, point: Number(e) + 1 };
  }
  const [intPart = "", frac = ""] = fixed.split(".");
  const all = (intPart + frac).replace(/0+$/, "");
  const lead = all.length - all.replace(/^0+/, "").length;
  return { digits: all.slice(lead), point: intPart.length - lead };
}

/** Round a digit string to `keep` digits, half-to-even on exact ties; may carry into a new digit. */
function roundDigits(d: Digits, keep: number): Digits {
  if (keep < 0) return { digits: "", point: d.point };
  if (d.digits.length <= keep) return { digits: d.digits.padEnd(keep, "0"), point: d.point };
  const head = d.digits.slice(0, keep);
  const rest = d.digits.slice(keep);
  const first = rest.charCodeAt(0) - 48;
  const tie = first === 5 && /^5?0*$/.test(rest);
  const lastDigit = keep > 0 ? head.charCodeAt(keep - 1) - 48 : 0;
  const up = first > 5 || (first === 5 && !tie) || (tie && lastDigit % 2 === 1);
  if (!up) return { digits: head, point: d.point };
  const bumped = (BigInt(head === "" ? "0" : head) + 1n).toString();
  if (bumped.length > keep) return { digits: bumped.slice(0, Math.max(keep, 1)), point: d.point + 1 };
  return { digits: bumped.padStart(keep, "0"), point: d.point };
}

/** Python "{:.<n>f}" for finite x. */
export function fixedHalfEven(x: number, n: number): string {
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const abs = Math.abs(x);
  if (abs === 0) return sign + (n > 0 ? `0.${"0".repeat(n)}` : "0");
  const d = exactDigits(abs);
  const r = roundDigits(d, d.point + n);
  // digits cover positions point-1 ... down to -n; rebuild as an integer of n fractional digits
  let intDigits = r.digits;
  const want = r.point + n;
  intDigits = want <= 0 ? "" : intDigits.padEnd(want, "0").slice(0, want);
  const padded = intDigits.padStart(n + 1, "0");
  const whole = padded.slice(0, padded.length - n);
  const frac = padded.slice(padded.length - n);
  const body = n > 0 ? `${whole}.${frac}` : whole;
  return /[1-9]/.test(body) ? sign + body : (sign === "-" ? "-" : "") + body;
}

/** Python "{:.<n>e}" mantissa/exponent pieces for finite non-zero x. */
export function expHalfEven(x: number, n: number): { mantissa: string; exponent: number } {
  const sign = x < 0 ? "-" : "";
  const abs = Math.abs(x);
  if (abs === 0) return { mantissa: sign + (n > 0 ? `0.${"0".repeat(n)}` : "0"), exponent: 0 };
  const r = roundDigits(exactDigits(abs), n + 1);
  const digits = r.digits.padEnd(n + 1, "0");
  const mantissa = n > 0 ? `${digits[0]}.${digits.slice(1)}` : (digits[0] ?? "0");
  return { mantissa: sign + mantissa, exponent: r.point - 1 };
}
