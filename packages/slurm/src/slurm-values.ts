/**
 * Readers for the value shapes that differ between Slurm versions: plain numbers (22.05),
 * `{set, infinite, number}` objects (23.02+), epoch seconds vs local date strings, `UNLIMITED`.
 */

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export type SlurmNumber = number | "infinite" | null;

/** 5, "5", {set:true,number:5}, {infinite:true}, null → 5 | "infinite" | null */
export function readSlurmNumber(v: unknown): SlurmNumber {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v);
  if (isRecord(v)) {
    if (v.infinite === true) return "infinite";
    if (v.set === false) return null;
    return readSlurmNumber(v.number);
  }
  return null;
}

/** epoch seconds (0 = unset) in any number shape → ISO string */
export function readEpoch(v: unknown): string | null {
  const n = readSlurmNumber(v);
  if (typeof n !== "number" || n <= 0) return null;
  return new Date(n * 1000).toISOString();
}

/** `2026-11-29T17:50:54` (controller's local time), `Unknown`, `None`, `N/A` → ISO string */
export function readSlurmDate(v: string | undefined): string | null {
  if (!v || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(v)) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Slurm time strings: `UNLIMITED`, `30`, `1:00` (m:s), `01:02:03`, `2-03:04:05`, `2-3` → minutes */
export function readTimeLimit(v: string | undefined): number | null {
  if (!v) return null;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(s);
  if (!m) return null;
  const days = Number(m[1] ?? 0);
  const parts = [m[2], m[3], m[4]].filter((p): p is string => p !== undefined).map(Number);
  let minutes: number;
  if (m[1] !== undefined) {
    // days-hours[:minutes[:seconds]]
    minutes = (parts[0] ?? 0) * 60 + (parts[1] ?? 0) + (parts[2] ?? 0) / 60;
  } else if (parts.length === 3) {
    minutes = (parts[0] ?? 0) * 60 + (parts[1] ?? 0) + (parts[2] ?? 0) / 60;
  } else {
    minutes = (parts[0] ?? 0) + (parts[1] ?? 0) / 60;
  }
  return Math.ceil(days * 1440 + minutes);
}

export interface ExitInfo {
  exitCode: number | null;
  signal: number | null;
}

/** `3:0` (exit:signal) as printed by sacct and scontrol */
export function readExitPair(v: string | undefined): ExitInfo {
  const m = /^(\d+):(\d+)$/.exec(v?.trim() ?? "");
  if (!m) return { exitCode: null, signal: null };
  const code = Number(m[1]);
  const sig = Number(m[2]);
  return { exitCode: sig > 0 ? null : code, signal: sig > 0 ? sig : null };
}

/**
 * squeue/sacct JSON exit codes: a raw wait status integer in 22.05 (768 = exit 3, 15 = SIGTERM),
 * or `{status, return_code, signal: {id|signal_id, name}}` in later versions.
 */
export function readJsonExit(v: unknown): ExitInfo {
  const n = readSlurmNumber(v);
  if (typeof n === "number") {
    const sig = n & 0x7f;
    return sig > 0 ? { exitCode: null, signal: sig } : { exitCode: (n >> 8) & 0xff, signal: null };
  }
  if (isRecord(v)) {
    const sigObj = isRecord(v.signal) ? v.signal : {};
    const sig = readSlurmNumber(sigObj.id ?? sigObj.signal_id);
    const rc = readSlurmNumber(v.return_code);
    const signal = typeof sig === "number" && sig > 0 ? sig : null;
    return { exitCode: signal === null && typeof rc === "number" ? rc : null, signal };
  }
  return { exitCode: null, signal: null };
}

export function readString(v: unknown): string | null {
  if (typeof v === "string") return v === "" ? null : v;
  if (typeof v === "number") return String(v);
  return null;
}

export { isRecord };
