/** First retry after a failed connect waits about this long; each further failure doubles it. */
const BASE_MS = 500;
const CAP_MS = 15_000;

/**
 * Delay before connect attempt number `failures + 1`: exponential with "equal jitter" (half fixed,
 * half random), so many supervisors cut off by one login-node outage do not all come back at once.
 */
export function reconnectDelayMs(failures: number, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** (failures - 1));
  return ceiling / 2 + (ceiling / 2) * random();
}
