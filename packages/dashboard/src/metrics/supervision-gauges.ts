import { Gauge } from "prom-client";
import type { Registry } from "prom-client";
import { safeText } from "@neoxctl/core";
import type { SupervisionView } from "../model/supervision.ts";

export interface SupervisionGauges {
  reset(): void;
  fill(view: SupervisionView): void;
}

/** Who watches the supervisors: the gauges the shipped alert rules for dead and wedged supervisors read. */
export function supervisionGauges(registry: Registry): SupervisionGauges {
  const live = new Gauge({
    name: "neoxctl_supervisors_live",
    help: "Supervisor processes with a live heartbeat that are not wedged.",
    registers: [registry]
  });
  const wedged = new Gauge({
    name: "neoxctl_supervisors_wedged",
    help: "Supervisor processes that hold leases but finished no cycle for many poll intervals.",
    registers: [registry]
  });
  const perCluster = new Gauge({
    name: "neoxctl_supervisor_live",
    help: "Live, not wedged supervisors holding leases of runs on the cluster.",
    labelNames: ["cluster"],
    registers: [registry]
  });
  const unsupervised = new Gauge({
    name: "neoxctl_cluster_unsupervised",
    help: "1 when the cluster has active runs and no live supervisor holds any of them.",
    labelNames: ["cluster"],
    registers: [registry]
  });
  const active = new Gauge({
    name: "neoxctl_cluster_active_runs",
    help: "Active runs (planned, queued, running, recovering, needs_attention) on the cluster.",
    labelNames: ["cluster"],
    registers: [registry]
  });
  const stuck = new Gauge({
    name: "neoxctl_leases_stuck",
    help: "Run leases held by a supervisor that has no live heartbeat (the run waits for the lease to expire).",
    registers: [registry]
  });
  const all = [live, wedged, perCluster, unsupervised, active, stuck];
  return {
    reset() {
      for (const g of all) g.reset();
    },
    fill(view) {
      live.set(view.supervisors.filter((s) => !s.wedged).length);
      wedged.set(view.supervisors.filter((s) => s.wedged).length);
      stuck.set(view.stuckLeases.length);
      const clusters = new Set(view.clusters.map((c) => c.cluster));
      for (const s of view.supervisors) for (const c of s.clusters) clusters.add(c);
      for (const c of clusters) {
        const row = view.clusters.find((x) => x.cluster === c);
        const l = { cluster: safeText(c) };
        perCluster.set(
          l,
          row?.live ?? view.supervisors.filter((s) => !s.wedged && s.clusters.includes(c)).length
        );
        unsupervised.set(l, row?.unsupervised === true ? 1 : 0);
        active.set(l, row?.activeRuns ?? 0);
      }
    }
  };
}
