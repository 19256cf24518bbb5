import { z } from "zod";
import { RunSpecSchema } from "./run-spec.ts";
import { ClusterProfileSchema } from "./cluster-profile.ts";
import { DataManifestSchema } from "./data.ts";

/**
 * The JSON Schemas editors use to autocomplete and check the YAML files, keyed by file name. The
 * input side is exported: fields with defaults are optional there, as a user writes them.
 */
export function specJsonSchemas(): Record<string, string> {
  const render = (schema: z.ZodType, id: string): string =>
    JSON.stringify(
      { $id: id, ...z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" }) },
      null,
      2
    ) + "\n";
  return {
    "run-spec.schema.json": render(RunSpecSchema, "https://neoxctl.dev/schemas/run-spec.schema.json"),
    "cluster-profile.schema.json": render(
      ClusterProfileSchema,
      "https://neoxctl.dev/schemas/cluster-profile.schema.json"
    ),
    "data-manifest.schema.json": render(
      DataManifestSchema,
      "https://neoxctl.dev/schemas/data-manifest.schema.json"
    )
  };
}
