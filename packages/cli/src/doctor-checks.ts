import { createExecutor } from "@neoxctl/exec";
import { clusterReport, SlurmClient } from "@neoxctl/slurm";
import { assessSupervision, execTargetOf, openStore, readSupervisionInput } from "@neoxctl/supervisor";
import type { RunStore, SupervisionReport } from "@neoxctl/supervisor";
import { toNeoxctlError } from "@neoxctl/core";
import { checkCluster } from "./commands/cluster.ts";
import { readNamedTokens } from "./dashboard-tokens.ts";

export type CheckKind = "redis" | "cluster" | "supervisor" | "supervision" | "lease" | "tokens";

/** One line of the doctor's report. */
export interface DoctorCheck {
  kind: CheckKind;
  /** what was checked: the Redis URL (redacted), a cluster, a supervisor owner, a run */
  subject: string;
  ok: boolean;
  /** ok, but something to fix (a legacy token hash): printed as `warn`, does not fail the doctor */
  warning?: boolean;
  detail: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
  supervision?: SupervisionReport;
}

export interface DoctorOptions {
  /** cluster profiles (names under clusters/ or files) to reach besides those of the active runs */
  profiles: readonly string[];
  wedgedFactor?: number;
  /** the dashboard's tokens file (else `$NEOXCTL_DASHBOARD_TOKENS_FILE`) */
  tokensFile?: string;
  now?: () => number;
}

const message = (e: unknown): string => {
  const err = toNeoxctlError(e);
  return `${err.code}: ${err.message}`;
};

/** Reaches a cluster with the access stored in one of its runs, as the supervisor would. */
async function reachStored(cluster: string, access: unknown): Promise<DoctorCheck> {
  try {
    const target = execTargetOf(access);
    const exec = await createExecutor(target);
    try {
      const r = await clusterReport(new SlurmClient(exec));
      const down = r.unavailableNodes.length;
      return {
        kind: "cluster",
        subject: cluster,
        ok: true,
        detail: `Slurm ${r.slurmVersion} via ${target.kind === "ssh" ? `ssh ${r.target}` : "local execution"}, ${r.nodes.total} nodes${down ? ` (${down} down or drained)` : ""}`
      };
    } finally {
      await exec.close().catch(() => undefined);
    }
  } catch (e) {
    return { kind: "cluster", subject: cluster, ok: false, detail: `unreachable: ${message(e)}` };
  }
}

async function reachProfile(ref: string): Promise<DoctorCheck> {
  try {
    const c = await checkCluster(ref);
    return {
      kind: "cluster",
      subject: c.profile,
      ok: true,
      detail: `Slurm ${c.slurmVersion} via ${c.access === "ssh" ? `ssh ${c.target}` : "local execution"}, ${c.nodes.total} nodes${c.warnings.length ? `; ${c.warnings.join("; ")}` : ""}`
    };
  } catch (e) {
    return { kind: "cluster", subject: ref, ok: false, detail: `unreachable: ${message(e)}` };
  }
}

/** cluster name → the stored access of its first active run that can be read */
async function activeClusters(store: RunStore): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const id of await store.runIds(true)) {
    try {
      const run = await store.getRun(id);
      if (!run || out.has(run.cluster)) continue;
      out.set(run.cluster, (run.planInput as { profile?: { access?: unknown } }).profile?.access);
    } catch {
      // a corrupt run record is the status command's report; its cluster is found through other runs
    }
  }
  return out;
}

function supervisionChecks(r: SupervisionReport): DoctorCheck[] {
  const checks: DoctorCheck[] = r.supervisors.map((s) => ({
    kind: "supervisor" as const,
    subject: s.owner,
    ok: !s.wedged,
    detail: `${s.wedged ? "WEDGED: " : ""}last cycle ${s.lastCycleAt === null ? "never finished" : `${Math.round(s.lastCycleAgeS)} s ago`}, ${s.cycles} cycles, ${s.leases} lease(s)${s.clusters.length ? ` on ${s.clusters.join(", ")}` : ""}`
  }));
  for (const c of r.clusters)
    checks.push({
      kind: "supervision",
      subject: c.cluster,
      ok: !c.unsupervised,
      detail: c.unsupervised
        ? `${c.activeRuns} active run(s) and NO live supervisor holds them`
        : `${c.activeRuns} active run(s), ${c.live} live supervisor(s)`
    });
  for (const l of r.stuckLeases)
    checks.push({
      kind: "lease",
      subject: l.runId,
      ok: false,
      detail: `lease held by ${l.owner}, which has no live heartbeat: stuck until the lease expires`
    });
  if (r.supervisors.length === 0 && r.clusters.length === 0)
    checks.push({
      kind: "supervision",
      subject: "-",
      ok: true,
      detail: "no supervisor running and no active runs to watch"
    });
  return checks;
}

/** The dashboard's named tokens, when any are configured: readable, and none left in the legacy format. */
export async function tokensCheck(file: string | undefined): Promise<DoctorCheck | undefined> {
  const subject = file ?? process.env.NEOXCTL_DASHBOARD_TOKENS_FILE ?? "$NEOXCTL_DASHBOARD_TOKENS";
  try {
    const { tokens, warnings } = await readNamedTokens(file);
    if (tokens.length === 0) return undefined;
    return warnings.length
      ? {
          kind: "tokens",
          subject,
          ok: true,
          warning: true,
          detail: `${warnings.length} of ${tokens.length} token(s) use the legacy unsalted SHA-256 hash: ${warnings.join("; ")}`
        }
      : { kind: "tokens", subject, ok: true, detail: `${tokens.length} token(s), all scrypt` };
  } catch (e) {
    return { kind: "tokens", subject, ok: false, detail: `unreadable: ${message(e)}` };
  }
}

/** Redis, then each cluster's reachability, then the supervisors' heartbeats and the leases. */
export async function runDoctor(o: DoctorOptions): Promise<DoctorReport> {
  const tokens = await tokensCheck(o.tokensFile);
  const checks: DoctorCheck[] = tokens ? [tokens] : [];
  const profileChecks = Promise.all(o.profiles.map(reachProfile));
  let opened: Awaited<ReturnType<typeof openStore>>;
  try {
    opened = await openStore();
    await opened.store.redis.ping();
    checks.push({ kind: "redis", subject: "redis", ok: true, detail: "reachable" });
  } catch (e) {
    checks.push({ kind: "redis", subject: "redis", ok: false, detail: message(e) });
    checks.push(...(await profileChecks));
    return { ok: false, checks };
  }
  try {
    const { store } = opened;
    const stored = await activeClusters(store);
    const [fromProfiles, fromRuns] = await Promise.all([
      profileChecks,
      Promise.all([...stored].map(([name, access]) => reachStored(name, access)))
    ]);
    checks.push(...fromProfiles, ...fromRuns);
    const now = (o.now ?? Date.now)();
    const input = await readSupervisionInput(store.redis, store.keys, now);
    const supervision = assessSupervision({
      ...input,
      ...(o.wedgedFactor !== undefined ? { wedgedFactor: o.wedgedFactor } : {})
    });
    checks.push(...supervisionChecks(supervision));
    return { ok: checks.every((c) => c.ok), checks, supervision };
  } finally {
    opened.close();
  }
}

export function formatDoctor(r: DoctorReport): string {
  const lines = r.checks.map(
    (c) =>
      `${c.ok ? (c.warning === true ? "warn" : "ok  ") : "FAIL"} ${c.kind.padEnd(11)} ${c.subject}: ${c.detail}`
  );
  lines.push(
    r.ok
      ? "all checks passed"
      : `${r.checks.filter((c) => !c.ok).length} problem(s); see docs/monitoring.md for what to do`
  );
  return lines.join("\n") + "\n";
}
