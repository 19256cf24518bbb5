import type { Command } from "commander";

/**
 * The examples each command's `--help` ends with, by command path ("" is neoxctl itself). Kept in
 * one table, apart from the command modules, so the help text of every command reads alike and a
 * test can check that none is missing.
 */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  "": [
    "neoxctl plan examples/emma500-llama3-8b.yaml --cluster lumi --out out/emma500",
    "neoxctl submit examples/local-demo.yaml --cluster local",
    "neoxctl status",
    "neoxctl plan --help"
  ],
  plan: [
    "neoxctl plan examples/emma500-llama3-8b.yaml --cluster lumi --out out/emma500",
    "neoxctl plan run.yaml --cluster ./my-cluster.yaml --out /tmp/plan --run-dir /scratch/project_1/runs/r1 --json",
    "neoxctl plan examples/local-demo.yaml --out /tmp/neoxctl-demo/runs/local-demo --from merge"
  ],
  data: ["neoxctl data scan examples/data/emma500-manifest.yaml --dry-run"],
  "data scan": [
    "neoxctl data scan examples/data/emma500-manifest.yaml --dry-run",
    "neoxctl data scan /scratch/project_1/tokenized/manifest.yaml --json"
  ],
  init: [
    "neoxctl init --list",
    "neoxctl init llama3-8b-lumi --account project_465000123 --out runs/emma",
    "neoxctl init local-demo --name my-demo --root /tmp/my-demo --out /tmp/my-demo/spec"
  ],
  smoke: [
    "neoxctl smoke examples/emma500-llama3-8b.yaml --cluster lumi --out /scratch/project_462000000/canaries",
    "neoxctl smoke examples/local-demo.yaml --cluster local --steps 3 --json"
  ],
  schema: ["neoxctl schema", "neoxctl schema --out /tmp/schemas"],
  spikes: [
    "neoxctl spikes slurm-1234.out",
    "neoxctl spikes losses.csv --format csv --json",
    "neoxctl spikes train.log --format neox --warmup-steps 2000 --recover-window 100"
  ],
  dashboard: [
    "neoxctl dashboard",
    "neoxctl dashboard --host 0.0.0.0 --port 8080 --token-file /etc/neoxctl/dashboard-token",
    "neoxctl dashboard --tokens-file /etc/neoxctl/dashboard-tokens"
  ],
  "dashboard token": [
    "neoxctl dashboard token add alice --file /etc/neoxctl/dashboard-tokens",
    "neoxctl dashboard token list --file /etc/neoxctl/dashboard-tokens"
  ],
  "dashboard token add": ["neoxctl dashboard token add alice --file /etc/neoxctl/dashboard-tokens"],
  "dashboard token list": [
    "neoxctl dashboard token list --file /etc/neoxctl/dashboard-tokens",
    "neoxctl dashboard token list --file /etc/neoxctl/dashboard-tokens --json"
  ],
  silence: [
    'neoxctl silence emma500 --for 2h --reason "known slow node, ticket OPS-12"',
    'neoxctl silence team:nlp --for 30m --reason "maintenance window"',
    "neoxctl silence list",
    "neoxctl silence rm 1a2b3c4d"
  ],
  "silence list": ["neoxctl silence list", "neoxctl silence list --json"],
  "silence rm": ["neoxctl silence rm 1a2b3c4d"],
  cluster: [
    "neoxctl cluster check --cluster lumi",
    "neoxctl cluster check --cluster ./my-cluster.yaml --json"
  ],
  "cluster check": [
    "neoxctl cluster check --cluster lumi",
    "neoxctl cluster check --cluster ./my-cluster.yaml --json"
  ],
  submit: [
    "neoxctl submit examples/local-demo.yaml --cluster local",
    "neoxctl submit run.yaml --cluster lumi --run-dir /scratch/project_1/runs/emma500 --json",
    "neoxctl submit run.yaml --cluster lumi --run-dir /scratch/project_1/runs/emma500 --smoke --smoke-out /scratch/project_1/canaries"
  ],
  supervise: [
    "neoxctl supervise",
    "neoxctl supervise --once --json",
    "neoxctl supervise --webhook-file ~/.neoxctl-webhooks --dashboard-url https://oncall.example.org"
  ],
  status: [
    "neoxctl status",
    "neoxctl status emma500",
    "neoxctl status --json",
    "neoxctl status emma500 --jobs",
    "neoxctl status emma500 --jobs --json"
  ],
  events: ["neoxctl events emma500", "neoxctl events emma500 --json"],
  logs: ["neoxctl logs emma500", "neoxctl logs emma500 -f"],
  rollback: [
    "neoxctl rollback emma500 --to-step 12000",
    "neoxctl rollback emma500 --to-step 12000 --lr-factor 0.5"
  ],
  ack: ["neoxctl ack emma500", "neoxctl ack emma500 --json"],
  cancel: ["neoxctl cancel emma500", "neoxctl cancel emma500 --json"],
  resume: ["neoxctl resume emma500", "neoxctl resume emma500 --json"],
  exclude: ["neoxctl exclude emma500 nid005613", "neoxctl exclude emma500 nid005613 --json"],
  simulate: [
    "neoxctl simulate examples/emma500-llama3-8b.yaml",
    "neoxctl simulate examples/emma500-llama3-8b.yaml --node-mtbf-h 2000 --human-delay-h 3 --intervals 100,250,500",
    "neoxctl simulate run.yaml --step-s 12 --seeds 1000 --json"
  ],
  doctor: [
    "neoxctl doctor",
    "neoxctl doctor --cluster lumi --json",
    "neoxctl doctor --wedged-factor 20",
    "neoxctl doctor --tokens-file /etc/neoxctl/dashboard-tokens"
  ]
};

/** A command's path below the program: "" for neoxctl itself, "cluster check" for a subcommand. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** Appends an "Examples:" section to the help of the program and every command registered on it. */
export function addExamples(program: Command): void {
  const visit = (cmd: Command): void => {
    const lines = EXAMPLES[commandPath(cmd)];
    if (lines !== undefined)
      cmd.addHelpText("after", `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}`);
    for (const sub of cmd.commands) visit(sub);
  };
  visit(program);
}
