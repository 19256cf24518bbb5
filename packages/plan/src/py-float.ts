/**
 * A number that must reach Python as a float. NeoX reads its configs with PyYAML (YAML 1.1), where
 * `1e-4` is a string and `1` is an int, so floats are marked when built and written as plain
 * decimals with a point.
 */
export class PyFloat {
  constructor(readonly value: number) {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite float: ${value}`);
  }
}

export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

/** Writes a finite number as a plain decimal with a point: 1e-4 → 0.0001, 1e21 → 1000000000000000000000.0. */
export function formatPyFloat(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite float: ${value}`);
  const sign = value < 0 ? "-" : "";
  const text = Math.abs(value).toString();
  const expAt = text.indexOf("e");
  if (expAt < 0) return sign + (text.includes(".") ? text : `${text}.0`);
  // shortest round-trip digits from toString, with the exponent moved into the point position
  const mantissa = text.slice(0, expAt);
  const exponent = Number(text.slice(expAt + 1));
  const dot = mantissa.indexOf(".");
  const digits = mantissa.replace(".", "");
  const point = (dot < 0 ? mantissa.length : dot) + exponent;
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
