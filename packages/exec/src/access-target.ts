import type { ClusterAccess } from "@neoxctl/core";
import type { ExecTarget } from "./executor.ts";

/** A cluster profile's `access` block (snake_case YAML) as the target an executor connects to. */
export function execTargetFromAccess(access: ClusterAccess): ExecTarget {
  switch (access.kind) {
    case "local":
      return { kind: "local" };
    case "ssh":
      return {
        kind: "ssh",
        host: access.host,
        ...(access.port !== undefined ? { port: access.port } : {}),
        ...(access.user !== undefined ? { user: access.user } : {}),
        ...(access.identity_file !== undefined ? { identityFile: access.identity_file } : {}),
        ...(access.known_hosts_file !== undefined ? { knownHostsFile: access.known_hosts_file } : {}),
        ...(access.ssh_config_file !== undefined ? { sshConfigFile: access.ssh_config_file } : {})
      };
  }
}
