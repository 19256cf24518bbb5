import type { SlurmPollView } from "./read-model.ts";

const ERROR_FIELD = ":error";

/**
 * Adds the failures in a row (`<cluster>` → count) and the last error (`<cluster>:error`) from the
 * streak hash to the clusters' polls; a cluster that has only failed gets a view without a poll time.
 */
export function mergePollStreak(
  polls: readonly SlurmPollView[],
  streak: Record<string, string>
): SlurmPollView[] {
  const byName = new Map(polls.map((p) => [p.cluster, { ...p }]));
  for (const [field, value] of Object.entries(streak)) {
    if (field.endsWith(ERROR_FIELD)) continue;
    const failures = Number(value);
    if (!Number.isSafeInteger(failures) || failures <= 0) continue;
    const lastError = streak[field + ERROR_FIELD];
    byName.set(field, {
      ...(byName.get(field) ?? { cluster: field }),
      failures,
      ...(lastError ? { lastError } : {})
    });
  }
  return [...byName.values()].sort((a, b) => a.cluster.localeCompare(b.cluster));
}
