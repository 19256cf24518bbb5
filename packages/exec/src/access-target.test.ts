import { describe, expect, it } from "vitest";
import { execTargetFromAccess } from "./access-target.ts";

describe("execTargetFromAccess", () => {
  it("maps local access", () => {
    expect(execTargetFromAccess({ kind: "local" })).toEqual({ kind: "local" });
  });
  it("maps every ssh field to its camelCase name and leaves absent ones out", () => {
    expect(
      execTargetFromAccess({
        kind: "ssh",
        host: "lumi",
        port: 2222,
        user: "u",
        identity_file: "/k",
        known_hosts_file: "/kh",
        ssh_config_file: "/c"
      })
    ).toEqual({
      kind: "ssh",
      host: "lumi",
      port: 2222,
      user: "u",
      identityFile: "/k",
      knownHostsFile: "/kh",
      sshConfigFile: "/c"
    });
    expect(execTargetFromAccess({ kind: "ssh", host: "lumi" })).toEqual({ kind: "ssh", host: "lumi" });
  });
});
