import { describe, expect, it } from "vitest";
import { planRun } from "../plan-run.ts";
import { localInput } from "../fixtures.test-support.ts";
import { chooseEod, readTokenizerJson } from "./eod.ts";

// the demo spec declares init.eod; these cases start from a spec that leaves it to the tokenizer
const spec = planRun(localInput((y) => y.replace(/^ {2}eod: .*$/m, ""))).spec;
const llama3 = readTokenizerJson(
  "/t/tokenizer.json",
  JSON.stringify({
    added_tokens: [
      { id: 128000, content: "<|begin_of_text|>" },
      { id: 128001, content: "<|end_of_text|>" }
    ],
    model: { vocab: { the: 0 } }
  })
);

describe("end-of-document check", () => {
  it("finds Llama 3's <|end_of_text|> and sets it explicitly, NeoX looking up <|endoftext|>", () => {
    expect(chooseEod(spec, llama3)).toEqual({
      eod: { token: "<|end_of_text|>", id: 128001, source: "tokenizer.json", explicit: true },
      issues: []
    });
  });

  it("keeps NeoX's own lookup when the tokenizer has <|endoftext|>", () => {
    const neox = readTokenizerJson(
      "/t.json",
      JSON.stringify({ added_tokens: [{ id: 0, content: "<|endoftext|>" }] })
    );
    expect(chooseEod(spec, neox).eod).toEqual({
      token: "<|endoftext|>",
      id: 0,
      source: "tokenizer.json",
      explicit: false
    });
  });

  it("refuses a tokenizer without a usable end of document, naming init.tokenizer", () => {
    const none = readTokenizerJson("/t.json", JSON.stringify({ model: { vocab: { a: 0 } } }));
    expect(chooseEod(spec, none).issues.map((i) => i.path)).toEqual(["init.tokenizer"]);
  });

  it("needs init.eod when the tokenizer is not readable, and checks a declared one against it", () => {
    expect(chooseEod(spec, undefined).issues.map((i) => i.path)).toEqual(["init.eod"]);
    const declared = { ...spec, init: { ...spec.init, eod: { token: "<|end_of_text|>", id: 7 } } };
    expect(chooseEod(declared, undefined).eod).toMatchObject({
      id: 7,
      source: "spec init.eod",
      explicit: true
    });
    expect(chooseEod(declared, llama3).issues.map((i) => i.path)).toEqual(["init.eod.id"]);
  });
});
