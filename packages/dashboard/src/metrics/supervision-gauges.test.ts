import { describe, expect, it } from "vitest";
import { MemoryRunModel } from "../model/memory-model.ts";
import type { SlurmPollFailureCount, SupervisionView } from "../model/supervision.ts";
import { createDashboardMetrics } from "./registry.ts";

class WatchedModel extends MemoryRunModel {
  view: SupervisionView = { supervisors: [], clusters: [], stuckLeases: [], problems: [] };
  failures: SlurmPollFailureCount[] = [];
  async supervision(): Promise<SupervisionView> {
    return this.view;
  }
  async slurmPollFailures(): Promise<SlurmPollFailureCount[]> {
    return this.failures;
  }
}

const line = (text: string, series: string): string | undefined =>
  text.split("\n").find((l) => l.startsWith(`${series} `));

describe("supervision gauges", () => {
  it("a cluster with active runs and only a wedged supervisor is unsupervised; a held one is not", async () => {
    const model = new WatchedModel();
    model.view = {
      supervisors: [
        {
          owner: "a:1",
          host: "a",
          lastCycleAt: null,
          lastCycleAgeS: 3,
          clusters: ["lumi"],
          leases: 2,
          wedged: false
        },
        {
          owner: "b:2",
          host: "b",
          lastCycleAt: null,
          lastCycleAgeS: 900,
          clusters: ["frontier"],
          leases: 1,
          wedged: true
        }
      ],
      clusters: [
        { cluster: "frontier", activeRuns: 1, live: 0, unsupervised: true },
        { cluster: "lumi", activeRuns: 2, live: 1, unsupervised: false }
      ],
      stuckLeases: [{ runId: "r9", owner: "c:3" }],
      problems: ["…"]
    };
    model.failures = [{ cluster: "lumi", count: 4 }];
    const { ok, text } = await createDashboardMetrics(model).scrape();
    expect(ok).toBe(true);
    expect(line(text, "neoxctl_supervisors_live")).toBe("neoxctl_supervisors_live 1");
    expect(line(text, "neoxctl_supervisors_wedged")).toBe("neoxctl_supervisors_wedged 1");
    expect(line(text, "neoxctl_leases_stuck")).toBe("neoxctl_leases_stuck 1");
    expect(line(text, 'neoxctl_cluster_unsupervised{cluster="frontier"}')).toMatch(/ 1$/);
    expect(line(text, 'neoxctl_cluster_unsupervised{cluster="lumi"}')).toMatch(/ 0$/);
    expect(line(text, 'neoxctl_supervisor_live{cluster="lumi"}')).toMatch(/ 1$/);
    expect(line(text, 'neoxctl_supervisor_live{cluster="frontier"}')).toMatch(/ 0$/);
    expect(line(text, 'neoxctl_cluster_active_runs{cluster="lumi"}')).toMatch(/ 2$/);
    expect(line(text, 'neoxctl_slurm_poll_failures_total{cluster="lumi"}')).toMatch(/ 4$/);
  });

  it("each scrape starts afresh: a cluster that lost its runs leaves the gauges", async () => {
    const model = new WatchedModel();
    model.view = {
      supervisors: [],
      clusters: [{ cluster: "lumi", activeRuns: 1, live: 0, unsupervised: true }],
      stuckLeases: [],
      problems: ["x"]
    };
    const m = createDashboardMetrics(model);
    expect((await m.scrape()).text).toContain('neoxctl_cluster_unsupervised{cluster="lumi"} 1');
    model.view = { supervisors: [], clusters: [], stuckLeases: [], problems: [] };
    const after = (await m.scrape()).text;
    expect(after).not.toContain('cluster="lumi"');
    expect(line(after, "neoxctl_supervisors_live")).toBe("neoxctl_supervisors_live 0");
  });
});
