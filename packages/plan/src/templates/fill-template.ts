import { SpecError } from "@neoxctl/core";

const PLACEHOLDER = /\{\{([a-z][a-z0-9_]*)\}\}/g;

/** Every `{{key}}` a template text uses, in order of first use. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/**
 * Fills `{{key}}` placeholders. Pure and strict: a key the text uses but `values` lacks is an error
 * naming every such key (a typo in a template must never reach a spec), and text in the template that
 * looks like a placeholder but is not one (`{{ Name }}`) is refused too. Values are inserted literally; the
 * callers validate them first (a spec is parsed, a script is checked) because only they know the
 * context a value lands in.
 */
export function fillTemplate(text: string, values: Readonly<Record<string, string>>, source: string): string {
  const missing = placeholdersOf(text).filter((k) => !Object.hasOwn(values, k));
  if (missing.length > 0)
    throw new SpecError(
      "SPEC_INVALID",
      missing.map((k) => ({ path: `template.${k}`, received: `{{${k}}}`, rule: "has no value" })),
      source
    );
  const odd = [...text.matchAll(/\{\{[^}]*\}\}/g)].find((m) => !/^\{\{[a-z][a-z0-9_]*\}\}$/.test(m[0]));
  if (odd !== undefined)
    throw new SpecError(
      "SPEC_INVALID",
      [{ path: "template", received: odd[0], rule: "is not a {{key}} placeholder of a-z, 0-9 and '_'" }],
      source
    );
  const out = text.replace(PLACEHOLDER, (_m, k: string) => values[k]!);
  return out;
}

/**
 * Resolves declared values in dependency order: a default may refer to other keys (`/scratch/{{account}}`).
 * Given values win; a cycle or a reference to an unknown key is an error.
 */
export function resolveTemplateValues(input: {
  declared: Readonly<Record<string, { default?: string | undefined }>>;
  given: Readonly<Record<string, string>>;
  source: string;
}): Record<string, string> {
  const out: Record<string, string> = { ...input.given };
  const pending = Object.keys(input.declared).filter((k) => !Object.hasOwn(out, k));
  while (pending.length > 0) {
    const ready = pending.findIndex((k) =>
      placeholdersOf(input.declared[k]!.default ?? "").every((d) => Object.hasOwn(out, d))
    );
    if (ready < 0) break;
    const key = pending.splice(ready, 1)[0]!;
    const dflt = input.declared[key]!.default;
    if (dflt !== undefined) out[key] = fillTemplate(dflt, out, input.source);
  }
  return out;
}
