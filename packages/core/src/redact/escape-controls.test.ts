import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeControls } from "./escape-controls.ts";
import { safeJson, safeText } from "./safe-output.ts";

// what a terminal or page must never receive raw
const RAW =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("escapeControls", () => {
  it("spells out ESC sequences, OSC 52 clipboard writes, C1 CSI and bidi overrides", () => {
    expect(escapeControls("\u001b[2Jcleared")).toBe("\\u001b[2Jcleared");
    expect(escapeControls("\u001b]52;c;ZXZpbA==\u0007")).toBe("\\u001b]52;c;ZXZpbA==\\u0007");
    expect(escapeControls("a\u009b31mb")).toBe("a\\u009b31mb");
    expect(escapeControls("user\u202egnp.exe")).toBe("user\\u202egnp.exe");
    expect(escapeControls("over\rwrite")).toBe("over\\u000dwrite");
    expect(escapeControls("tab\tkept")).toBe("tab\tkept");
  });

  it("keeps line breaks only when asked, CRLF included", () => {
    expect(escapeControls("a\nb")).toBe("a\\u000ab");
    expect(escapeControls("a\nb\r\nc\rd", { keepLineBreaks: true })).toBe("a\nb\r\nc\\u000dd");
  });

  it("leaves no raw control in any string (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(RAW.test(escapeControls(s))).toBe(false);
        expect(RAW.test(escapeControls(s, { keepLineBreaks: true }).replace(/\r\n/g, "\n"))).toBe(false);
      }),
      { numRuns: 2000 }
    );
  });
});

describe("safeJson", () => {
  it("stays valid JSON with the same value, minus secrets, with no raw control", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = safeJson(v, { indent: 2 });
        expect(RAW.test(text)).toBe(false);
        expect(() => JSON.parse(text) as unknown).not.toThrow();
      }),
      { numRuns: 500 }
    );
    const v = { cause: "x\u009by\u2028z", list: ["\u001b]52;c;AA==\u0007"] };
    expect(JSON.parse(safeJson(v))).toEqual(v);
    expect(safeJson({ url: "https://hooks.slack.com/services/T1/B2/abcdefSECRET" })).not.toContain("SECRET");
  });

  it("redacts a secret holding a quote, which redacting serialized text would miss", () => {
    const secret = 'pa"ss\\word-1234';
    expect(safeJson({ v: `x ${secret} y` }, { secrets: [secret] })).not.toContain("word-1234");
  });
});

describe("safeText", () => {
  it("redacts first, then escapes", () => {
    expect(safeText("\u001b[31mtoken=abc123def456\u001b[0m")).toBe("\\u001b[31mtoken=<redacted>\\u001b[0m");
  });
});
