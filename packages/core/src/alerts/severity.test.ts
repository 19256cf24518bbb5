import { describe, expect, it } from "vitest";
import { meetsSeverity, RunAlertsSchema } from "./severity.ts";

describe("alert severities and a run's alert route", () => {
  it("orders info < warning < critical", () => {
    expect(meetsSeverity("critical", "warning")).toBe(true);
    expect(meetsSeverity("warning", "warning")).toBe(true);
    expect(meetsSeverity("info", "warning")).toBe(false);
  });
  it("takes webhook names or URLs, defaults the minimum to info", () => {
    expect(RunAlertsSchema.parse({ webhooks: ["nlp-oncall", "https://hooks.example/x"] })).toEqual({
      webhooks: ["nlp-oncall", "https://hooks.example/x"],
      min_severity: "info"
    });
    expect(RunAlertsSchema.safeParse({ webhooks: ["-bad name"] }).success).toBe(false);
    expect(RunAlertsSchema.safeParse({ min_severity: "page" }).success).toBe(false);
  });
});
