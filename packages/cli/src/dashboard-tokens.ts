import { readFile } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { SpecError } from "@neoxctl/core";
import { legacyTokenWarnings, parseTokensEnv, parseTokensFile } from "@neoxctl/dashboard";
import type { NamedToken } from "@neoxctl/dashboard";

/**
 * Named tokens from `--tokens-file`, else `$NEOXCTL_DASHBOARD_TOKENS_FILE`, plus
 * `$NEOXCTL_DASHBOARD_TOKENS`, with one warning per legacy (unsalted SHA-256) entry.
 */
export async function readNamedTokens(
  file: string | undefined
): Promise<{ tokens: NamedToken[]; warnings: string[] }> {
  const path = file ?? process.env.NEOXCTL_DASHBOARD_TOKENS_FILE;
  if (path !== undefined && path !== "" && !isAbsolute(path))
    throw new SpecError("SPEC_INVALID", [
      { path: "--tokens-file", received: path, rule: "must be an absolute path" }
    ]);
  const fromFile = path ? parseTokensFile(await readFile(path, "utf8"), path) : [];
  const env = process.env.NEOXCTL_DASHBOARD_TOKENS;
  const fromEnv = env ? parseTokensEnv(env) : [];
  return {
    tokens: [...fromFile, ...fromEnv],
    warnings: [
      ...(path ? legacyTokenWarnings(fromFile, path) : []),
      ...legacyTokenWarnings(fromEnv, "$NEOXCTL_DASHBOARD_TOKENS")
    ]
  };
}
