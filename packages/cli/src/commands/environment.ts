import type { Command } from "commander";
import { commandPath } from "./examples.ts";

const REDIS = [
  "NEOXCTL_REDIS_URL     Redis of the supervisor (default redis://127.0.0.1:6379)",
  "NEOXCTL_REDIS_PREFIX  key prefix of this deployment (default neoxctl:)"
];
const SSH = ["SSH_AUTH_SOCK         ssh-agent socket for clusters reached over SSH (profile `access: ssh`)"];
const TEMPLATES = [
  "NEOXCTL_TEMPLATES_DIR  folder of the sbatch and launcher templates (default: the installed ones)"
];

/**
 * The environment variables each command reads, by command path (as in EXAMPLES). Kept in one table
 * so `--help` of every command lists them the same way; grep the sources for `process.env` when
 * adding one.
 */
export const ENVIRONMENT: Readonly<Record<string, readonly string[]>> = {
  "": [...REDIS, "(each command's --help lists the variables it reads)"],
  plan: TEMPLATES,
  submit: [...REDIS, ...TEMPLATES, ...SSH],
  supervise: [
    ...REDIS,
    ...TEMPLATES,
    ...SSH,
    "NEOXCTL_ALERT_WEBHOOKS      global alert webhook URLs (comma or space separated), unless --webhook-file",
    "NEOXCTL_WEBHOOK_URL         one more global alert webhook URL",
    "NEOXCTL_ALERT_ROUTES_FILE   alert routes file, unless --alert-routes-file",
    "NEOXCTL_DASHBOARD_URL       public dashboard URL for the links in alerts, unless --dashboard-url"
  ],
  dashboard: [
    ...REDIS,
    "NEOXCTL_DASHBOARD_TOKEN        the single action token (acts as `default`), unless --token-file",
    "NEOXCTL_DASHBOARD_TOKENS_FILE  named action tokens file, unless --tokens-file",
    "NEOXCTL_DASHBOARD_TOKENS       more named tokens as name=<hash> pairs (scrypt$…; 64-hex SHA-256 is legacy)",
    "NEOXCTL_DASHBOARD_READ_TOKEN   read token, unless --read-token-file"
  ],
  status: [...REDIS, ...SSH],
  events: REDIS,
  logs: [...REDIS, ...SSH],
  rollback: REDIS,
  ack: REDIS,
  cancel: REDIS,
  resume: REDIS,
  exclude: REDIS,
  silence: REDIS,
  "silence list": REDIS,
  "silence rm": REDIS,
  cluster: SSH,
  "cluster check": SSH
};

/** What a remote (SSH) cluster needs that the local one does not, shown on the commands it concerns. */
export const REMOTE_NOTES: Readonly<Record<string, string>> = {
  submit:
    "Remote clusters (profile `access: ssh`): --run-dir is required and must be a path on the cluster's shared file system (the default run dir is local); the SSH host must be in ~/.ssh/known_hosts and a key or ssh-agent (SSH_AUTH_SOCK) must log in without a prompt. `neoxctl cluster check --cluster <profile>` checks all of this.",
  plan: "Remote clusters: pass --run-dir with the path on the cluster so the rendered job script and configs point there.",
  supervise:
    "Remote clusters: the supervisor reaches each run's cluster over SSH with the profile stored with the run; it needs the same known_hosts entry and key or agent as `submit`."
};

/** Appends "Environment:" (and, where it applies, "Remote clusters:") to each command's help. */
export function addEnvironment(program: Command): void {
  const visit = (cmd: Command): void => {
    const path = commandPath(cmd);
    const vars = ENVIRONMENT[path];
    if (vars !== undefined)
      cmd.addHelpText("after", `\nEnvironment:\n${vars.map((l) => `  ${l}`).join("\n")}`);
    const remote = REMOTE_NOTES[path];
    if (remote !== undefined) cmd.addHelpText("after", `\nRemote clusters:\n  ${remote}`);
    for (const sub of cmd.commands) visit(sub);
  };
  visit(program);
}
