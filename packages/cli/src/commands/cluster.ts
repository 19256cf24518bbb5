import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { SpecError, parseClusterProfile } from "@neoxctl/core";
import type { ClusterProfile } from "@neoxctl/core";
import { createExecutor, execTargetFromAccess, SshExecutor } from "@neoxctl/exec";
import { clusterReport, compressHostlist, SlurmClient } from "@neoxctl/slurm";
import type { ClusterReport } from "@neoxctl/slurm";
import { printJson, printText, runAction } from "../output.ts";
import { clusterProfilePath } from "./plan.ts";

async function loadProfile(ref: string): Promise<ClusterProfile> {
  const path = clusterProfilePath(ref);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new SpecError("SPEC_NOT_FOUND", [
      { path: "--cluster", received: ref, rule: `has no profile (looked for ${path})` }
    ]);
  }
  return parseClusterProfile(text, path);
}

export interface CheckOutput extends ClusterReport {
  profile: string;
  access: "local" | "ssh";
  /** SHA256 fingerprint of the host key that was checked against known_hosts and trusted */
  hostKeyFingerprint: string | null;
  /** the profile says accounting is on/off but the controller says otherwise */
  warnings: string[];
}

export async function checkCluster(ref: string): Promise<CheckOutput> {
  const profile = await loadProfile(ref);
  const target = execTargetFromAccess(profile.access);
  const exec = await createExecutor(target);
  try {
    const report = await clusterReport(new SlurmClient(exec));
    const warnings: string[] = [];
    if (profile.scheduler.accounting !== (report.accounting === "on")) {
      warnings.push(
        `profile says accounting=${String(profile.scheduler.accounting)} but the controller has accounting ${report.accounting}`
      );
    }
    if (!report.partitions.some((p) => p.name === profile.scheduler.partition)) {
      warnings.push(
        `partition ${profile.scheduler.partition} from the profile does not exist on the cluster`
      );
    }
    return {
      profile: profile.name,
      access: target.kind,
      hostKeyFingerprint: exec instanceof SshExecutor ? (exec.hostKeyFingerprint ?? null) : null,
      ...report,
      warnings
    };
  } finally {
    await exec.close();
  }
}

function formatCheck(c: CheckOutput): string {
  const lines = [
    `cluster   ${c.profile} via ${c.access === "ssh" ? `ssh ${c.target}` : "local execution"}`,
    ...(c.hostKeyFingerprint ? [`host key  ${c.hostKeyFingerprint} (matched known_hosts)`] : []),
    `slurm     ${c.slurmVersion}`,
    `accounting ${c.accounting}${c.accounting === "off" ? " (status of ended jobs comes from scontrol within MinJobAge)" : ""}`,
    `partitions ${c.partitions.map((p) => `${p.name}${p.isDefault ? "*" : ""} (${p.available ? "up" : "down"}, ${p.nodeCount} nodes, max ${p.timeLimit})`).join(", ")}`,
    `nodes     ${c.nodes.total}: ${Object.entries(c.nodes.byAvailability)
      .map(([state, names]) => `${names.length} ${state} ${compressHostlist(names)}`)
      .join(", ")}`
  ];
  for (const n of c.unavailableNodes) lines.push(`  ${n.name} ${n.state}${n.reason ? `: ${n.reason}` : ""}`);
  for (const w of c.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
}

export function register(program: Command): void {
  const cluster = program.command("cluster").description("Inspect the Slurm clusters neoxctl drives.");
  cluster
    .command("check")
    .description(
      "Reach a cluster and report Slurm version, partitions, accounting, node states (and the SSH host key trusted)."
    )
    .requiredOption("--cluster <name|file>", "cluster profile: a name under clusters/ or a YAML file")
    .option("--json", "print one JSON document")
    .action(async (opts: { cluster: string; json?: boolean }) => {
      await runAction(opts.json ?? false, async () => {
        const result = await checkCluster(opts.cluster);
        if (opts.json) printJson(result);
        else printText(formatCheck(result) + "\n");
      });
    });
}
