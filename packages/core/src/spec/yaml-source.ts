import { LineCounter, parseDocument } from "yaml";
import type { Document } from "yaml";
import { SpecError } from "../errors/index.ts";
import type { SpecIssue } from "../errors/index.ts";

/**
 * A parsed YAML file that still knows where each value came from, so schema problems can be
 * reported with a line and column, not just a path.
 */
export interface YamlSource {
  readonly data: unknown;
  /** 1-based position of the node at `path`, when the document has one there */
  positionOf(path: readonly PropertyKey[]): { line: number; column: number } | undefined;
}

/** Aliases beyond this count are refused: an alias bomb (billion laughs) expands exponentially. */
const MAX_ALIAS_COUNT = 100;

export function loadYaml(text: string, sourceName: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxIssues: SpecIssue[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return {
      path: "",
      received: "(yaml)",
      rule: e.message.split("\n")[0] ?? e.message,
      line: pos.line,
      column: pos.col
    };
  });
  if (syntaxIssues.length > 0) throw new SpecError("SPEC_YAML", syntaxIssues, sourceName);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new SpecError("SPEC_YAML", [{ path: "", received: "(yaml)", rule: message }], sourceName);
  }

  return {
    data,
    positionOf(path) {
      const node: unknown = doc.getIn(path as unknown[], true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (!range) return undefined;
      const pos = lineCounter.linePos(range[0]);
      return { line: pos.line, column: pos.col };
    }
  };
}
