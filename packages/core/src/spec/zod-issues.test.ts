import { describe, expect, it } from "vitest";
import { SpecError } from "../errors/index.ts";
import { dottedPath } from "./zod-issues.ts";
import { parseClusterProfile } from "./parse.ts";

describe("dottedPath", () => {
  it("quotes keys that would make a path ambiguous or empty", () => {
    expect(dottedPath(["training", "global_batch"])).toBe("training.global_batch");
    expect(dottedPath(["data", "inline", "datasets", 0, "path"])).toBe("data.inline.datasets[0].path");
    expect(dottedPath(["factors", "medium-high"])).toBe("factors.medium-high");
    // regression: an unknown key "" at the root was reported with path "", which reads as the document itself
    expect(dottedPath([""])).toBe('[""]');
    expect(dottedPath(["env", "a.b c"])).toBe('env["a.b c"]');
  });

  it("names an empty unknown key in a real parse", () => {
    try {
      parseClusterProfile('"": 1\n', "p.yaml");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SpecError);
      expect((err as SpecError).issues.map((i) => i.path)).toContain('[""]');
    }
  });
});
