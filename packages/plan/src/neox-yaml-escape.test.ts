import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderNeoxYaml } from "./neox-yaml.ts";

// Regression: a path holding NEL (U+0085) was written raw inside a double-quoted scalar, and PyYAML
// (NeoX's loader) folds NEL into a space, so NeoX saved to a different directory than planned.
describe("renderNeoxYaml escapes characters PyYAML would fold or refuse", () => {
  it.each(["/a\u0085b", "/a\u2028b", "/a\u2029b", "\ufeff/x", "/del\u007f", "/c1\u009b[31m", "/\ufffe"])(
    "writes %j as an escape",
    (path) => {
      const text = renderNeoxYaml({ save: path });
      expect(text).not.toMatch(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe]/);
      expect((parse(text) as { save: string }).save).toBe(path);
    }
  );

  it("leaves ordinary unicode readable", () => {
    expect(renderNeoxYaml({ save: "/data/ü/中/ع" })).toContain('"save": "/data/ü/中/ع"');
  });
});
