import { describe, expect, it } from "vitest";
import type { SupervisionView } from "../model/supervision.ts";
import { renderSupervisionBanner, withBanner } from "./supervision-banner.ts";

const ok: SupervisionView = {
  supervisors: [
    {
      owner: "h:1",
      host: "h",
      lastCycleAt: "2026-01-01T00:00:00Z",
      lastCycleAgeS: 1,
      clusters: ["lumi"],
      leases: 1,
      wedged: false
    }
  ],
  clusters: [{ cluster: "lumi", activeRuns: 1, live: 1, unsupervised: false }],
  stuckLeases: [],
  problems: []
};

describe("renderSupervisionBanner", () => {
  it("renders nothing when all is well or unknown, and leaves the page as it was", () => {
    expect(renderSupervisionBanner(ok).value).toBe("");
    expect(renderSupervisionBanner(undefined).value).toBe("");
    expect(withBanner("<main>x</main>", renderSupervisionBanner(ok))).toBe("<main>x</main>");
  });

  it("names the unsupervised cluster, lists every problem escaped, and sits first in <main>", () => {
    const bad: SupervisionView = {
      ...ok,
      supervisors: [],
      clusters: [{ cluster: "lumi<b>", activeRuns: 2, live: 0, unsupervised: true }],
      problems: ["cluster lumi<b>: 2 active run(s) and no live supervisor holds them"]
    };
    const b = renderSupervisionBanner(bad);
    expect(b.value).toContain('id="supervision-banner"');
    expect(b.value).toContain("No live supervisor for lumi&lt;b&gt;");
    expect(b.value).not.toContain("<b>");
    expect(b.value).toContain("neoxctl doctor");
    const page = withBanner("<body><main><h1>runs</h1></main></body>", b);
    expect(page.indexOf('id="supervision-banner"')).toBeLessThan(page.indexOf("<h1>"));
    expect(page.indexOf("<main>")).toBeLessThan(page.indexOf('id="supervision-banner"'));
    const withId = withBanner('<main id="m" class="x"><h1>runs</h1></main>', b);
    expect(withId.startsWith('<main id="m" class="x"><div')).toBe(true);
    expect(withBanner("<p>no main</p>", b)).toBe("<p>no main</p>");
  });

  it("a wedged supervisor alone gets the general headline", () => {
    const wedged: SupervisionView = {
      ...ok,
      supervisors: [{ ...ok.supervisors[0]!, wedged: true }],
      problems: ["supervisor h:1 is wedged"]
    };
    expect(renderSupervisionBanner(wedged).value).toContain("A supervisor needs attention.");
  });
});
