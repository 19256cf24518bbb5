import { z } from "zod";

/**
 * A value written after `#SBATCH --option=`. Those lines are comments to bash but options to sbatch,
 * so a line break would end the comment and bash would run the rest as a command, and a space or a
 * quote would split the value into further sbatch options. Slurm names (partitions, accounts, GRES,
 * memory sizes) never need any of those characters.
 */
export const SlurmWordSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.:,+%@-]{0,127}$/, {
  error: "must be 1-128 characters of A-Z, a-z, 0-9 and _ . : , + % @ - (it is written into an #SBATCH line)"
});
