import { z } from "zod";
import { parseWith } from "./parse.ts";

/** Keys every spec template may use without declaring them; `neoxctl init` always supplies them. */
const BUILTIN_TEMPLATE_KEYS = ["name", "spec_file", "manifest_file"] as const;

const TemplateKeySchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, { error: "must be a lower-case key of a-z, 0-9 and '_'" })
  .refine((k) => !(BUILTIN_TEMPLATE_KEYS as readonly string[]).includes(k), {
    error: "is supplied by neoxctl init and cannot be declared"
  });

const TemplateValueSchema = z
  .object({
    help: z.string().min(1).describe("what the value is, shown by `neoxctl init --list` and in errors"),
    default: z
      .string()
      .min(1)
      .optional()
      .describe("used when the option is not given; may refer to other keys as {{key}}")
  })
  .strict();

const SpecTemplateSchema = z
  .object({
    description: z.string().min(1).describe("one line: what run the template scaffolds"),
    cluster: z.string().min(1).describe("cluster profile the spec is written for (clusters/<name>.yaml)"),
    values: z
      .record(TemplateKeySchema, TemplateValueSchema)
      .default({})
      .describe("the values the template's {{key}} placeholders take, each a `neoxctl init --<key>` option")
  })
  .strict()
  .describe("templates/specs/<name>/template.yaml: what a spec template is for and which values it takes");

export type SpecTemplate = z.infer<typeof SpecTemplateSchema>;

export function parseSpecTemplate(yamlText: string, sourceName: string): SpecTemplate {
  return parseWith(SpecTemplateSchema, yamlText, sourceName);
}
