import { z } from "zod";

/** One extra `#SBATCH` option, `--name` or `--name=value`. */
export const SbatchDirectiveSchema = z
  // sbatch splits an #SBATCH line at whitespace and honours quotes, so either would smuggle in further options
  .string()
  .regex(/^--[a-z][a-z-]*(=[^\s'"\\]+)?$/, {
    error: "must be one option --name or --name=value, without spaces, quotes or backslashes"
  });
