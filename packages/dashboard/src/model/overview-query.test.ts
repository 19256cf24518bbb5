import { describe, expect, it } from "vitest";
import { filterRuns, parseOverviewQuery, queryString } from "./overview-query.ts";
import type { RunSummary } from "./read-model.ts";

const run = (id: string, extra: Partial<RunSummary>): RunSummary => ({
  id,
  name: id,
  state: "running",
  cluster: "lumi",
  step: 0,
  trainIters: 1,
  attempt: 1,
  recoveries: {},
  rollbackCount: 0,
  createdAt: "",
  updatedAt: "",
  ...extra
});

describe("overview query", () => {
  it("reads the filters from the URL, drops unknown states, and writes them back", () => {
    const q = parseOverviewQuery({ state: "needs_attention", team: "nlp", q: " spike ", page: "2", x: "y" });
    expect(q).toEqual({ state: "needs_attention", team: "nlp", q: "spike", history: false, page: 2 });
    expect(parseOverviewQuery({ state: "<b>" }).state).toBeUndefined();
    expect(queryString(q, { page: 1 })).toBe("?state=needs_attention&team=nlp&q=spike");
  });

  it("filters by team or owner, cluster and text", () => {
    const runs = [
      run("a", { team: "nlp" }),
      run("b", { owner: "nlp", cluster: "frontier" }),
      run("c", { attention: "loss spike" })
    ];
    expect(filterRuns(runs, parseOverviewQuery({ team: "nlp" })).map((r) => r.id)).toEqual(["a", "b"]);
    expect(filterRuns(runs, parseOverviewQuery({ cluster: "frontier" })).map((r) => r.id)).toEqual(["b"]);
    expect(filterRuns(runs, parseOverviewQuery({ q: "SPIKE" })).map((r) => r.id)).toEqual(["c"]);
  });
});
