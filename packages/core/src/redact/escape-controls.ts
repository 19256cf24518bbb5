/**
 * Characters a terminal, a browser or a chat client acts on instead of showing: C0 controls (ESC
 * starts CSI/OSC sequences, e.g. OSC 52 writes the clipboard; CR overwrites a line; BEL rings),
 * DEL, C1 controls (U+009B is a one-character CSI on some terminals) and the Unicode bidi and line
 * separators that reorder or break what is shown (Trojan Source, CVE-2021-42574).
 */
const CONTROLS =
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export interface EscapeOptions {
  /** keep `\n` (and the `\r` of a `\r\n`) for multi-line text such as log excerpts */
  keepLineBreaks?: boolean;
}

function hex4(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * The one control-character escape: each such character becomes its visible `\uXXXX` spelling.
 * Tabs are kept. The spelling is JSON's own, so escaping serialized JSON leaves it valid and equal
 * in value while no raw control reaches whoever reads the text.
 */
export function escapeControls(text: string, opts: EscapeOptions = {}): string {
  return text.replace(CONTROLS, (c, offset: number, whole: string) => {
    if (opts.keepLineBreaks === true) {
      if (c === "\n") return c;
      if (c === "\r" && whole[offset + 1] === "\n") return c;
    }
    return hex4(c);
  });
}
