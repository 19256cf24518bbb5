/** `[default7]:` (torch elastic rank prefixes) and `0: ` (srun --label) are stripped before matching */
const RANK_PREFIX = /^\s*(?:\[default\d+\]:|\d+:\s)/;

export function stripRankPrefix(line: string): string {
  return line.replace(RANK_PREFIX, "");
}
