import { safeJson, safeText } from "@neoxctl/core";

/**
 * HTML built only through `html\`…\``: every interpolated value is escaped unless it is already a
 * SafeHtml produced by this module. Run names, log lines and causes come from Redis and may hold
 * markup, so escaping is the default rather than something each page remembers.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;"
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

function part(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: Interpolation) => part(v)).join("");
  // redaction and the control escape first: the escaped text must not hide a secret or a bidi override
  return escapeHtml(safeText(String(value), { keepLineBreaks: true }));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += part(values[i]) + (strings[i + 1] ?? "");
  return new SafeHtml(out);
}

/** JSON for a `<script type="application/json">` block: `<` is escaped so no value can close the tag. */
export function jsonForScript(value: unknown): SafeHtml {
  return new SafeHtml(
    safeJson(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026")
  );
}
