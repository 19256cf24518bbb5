import { describe, expect, it } from "vitest";
import { ActorSchema } from "@neoxctl/supervisor";
import { cliActor } from "./actor.ts";

describe("cliActor", () => {
  it("names the local user", () => {
    expect(cliActor(() => "alice")).toBe("cli:alice");
  });
  it("always yields a valid actor name", () => {
    for (const u of ["", "a b", "_svc", "ürsula", "x".repeat(300)]) {
      const actor = cliActor(() => u);
      expect(ActorSchema.safeParse(actor).success).toBe(true);
    }
    expect(
      cliActor(() => {
        throw new Error("no passwd entry");
      })
    ).toBe("cli:unknown");
  });
});
