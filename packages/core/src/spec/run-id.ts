import { z } from "zod";

/**
 * A run id as `neoxctl submit` makes them: the run name (SafeIdSchema, up to 63 characters) and a
 * dash with six hex digits. Ids name Redis keys (`run:<id>:attempt:<n>`), so an id from a URL or
 * argv must match before it is used: `:` in particular would reach another record.
 */
const RunIdSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, {
  error: "must be 1-80 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit"
});

export function isRunId(value: string): boolean {
  return RunIdSchema.safeParse(value).success;
}
