import { z } from "zod";

const count = z.number().int().positive();

/**
 * How big the job is, with its unit spelled out. "512 GPUs" on LUMI means 512 GCDs (64 nodes), while
 * elsewhere it can mean 512 MI250X modules (1024 GCDs), so a bare "gpus" is refused rather than guessed.
 */
export const ClusterSizeSchema = z
  .object({
    gcds: count.optional().describe("graphics compute dies (LUMI/Frontier 'GPUs'); 8 per node"),
    nodes: count.optional().describe("whole nodes"),
    mi250x: count.optional().describe("MI250X modules, 2 GCDs each"),
    gpus: z
      .never({
        error:
          'is ambiguous: "GPUs" means GCDs on LUMI but MI250X modules (2 GCDs each) elsewhere; write {gcds: N}, {nodes: N} or {mi250x: N}'
      })
      .optional()
      .describe("refused: ambiguous unit")
  })
  .strict()
  .refine((s) => [s.gcds, s.nodes, s.mi250x].filter((v) => v !== undefined).length === 1, {
    error: "must give exactly one of gcds, nodes, mi250x"
  })
  .describe("job size with an explicit unit: {gcds: 512} | {nodes: 64} | {mi250x: 256}");

export type ClusterSize = z.infer<typeof ClusterSizeSchema>;

/** GCDs requested, given how many a node has. May be fractional in nodes; the planner checks. */
export function sizeInGcds(size: ClusterSize, gcdsPerNode: number): number {
  if (size.gcds !== undefined) return size.gcds;
  if (size.nodes !== undefined) return size.nodes * gcdsPerNode;
  if (size.mi250x !== undefined) return size.mi250x * 2;
  throw new Error("cluster size without a unit passed validation");
}
