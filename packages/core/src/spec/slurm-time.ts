import { z } from "zod";

// Slurm accepts more forms; these are the unambiguous ones ("MM" alone would read as minutes).
const TIME_RE = /^(?:(\d+)-)?(\d{1,2}):(\d{2}):(\d{2})$/;

export const SlurmTimeSchema = z
  .string()
  .regex(TIME_RE, { error: "must be a Slurm time limit HH:MM:SS or D-HH:MM:SS" })
  .describe("Slurm time limit, HH:MM:SS or D-HH:MM:SS");

/** Minutes in a Slurm time limit validated by SlurmTimeSchema. */
export function slurmTimeMinutes(time: string): number {
  const m = TIME_RE.exec(time);
  if (!m) throw new Error(`not a Slurm time limit: ${time}`);
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * 1440 + Number(h) * 60 + Number(min) + Number(s) / 60;
}
