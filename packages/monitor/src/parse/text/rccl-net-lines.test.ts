import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR } from "../../__fixtures__/paths.ts";
import { parseLine } from "./parse-line.ts";

/** the lines of one fixture file (formats and sources in __fixtures__/rccl/README.md) */
const lines = (name: string): string[] =>
  readFileSync(join(FIXTURES_DIR, "rccl", name), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");

describe("RCCL's network-selection INFO lines", () => {
  it("reads the plugin path: plugin loaded, provider, network, behind srun/pdsh/timestamp prefixes", () => {
    expect(lines("ofi.txt").map((l) => parseLine(l))).toMatchObject([
      { kind: "rccl_net", what: "plugin_loaded", value: "AWS Libfabric", node: "nid005123" },
      null,
      { kind: "rccl_net", what: "ofi_provider", value: "cxi", node: "nid005123" },
      { kind: "rccl_net", what: "network", value: "AWS Libfabric", node: "nid005123" },
      { kind: "rccl_net", what: "network", value: "AWS Libfabric", node: "nid005124" },
      { kind: "rccl_net", what: "ofi_provider", value: "cxi", node: "nid005124" },
      { kind: "rccl_net", what: "network", value: "Libfabric", node: "nid005124" }
    ]);
  });

  it("reads the socket fallback: no plugin, the interfaces, the network", () => {
    expect(lines("socket.txt").map((l) => parseLine(l))).toMatchObject([
      { kind: "rccl_net", what: "plugin_missing", value: "librccl-net.so", node: "nid005123" },
      { kind: "rccl_net", what: "plugin_missing", value: "internal" },
      {
        kind: "rccl_net",
        what: "socket_interfaces",
        value: expect.stringMatching(/^\[0\]hsn0:10\.253\.1\.17<0>/)
      },
      { kind: "rccl_net", what: "network", value: "Socket", node: "nid005123" },
      { kind: "rccl_net", what: "network", value: "Socket", node: "nid005124" }
    ]);
  });

  it("keeps the whole line as the message", () => {
    const line = lines("socket.txt")[3]!;
    expect(parseLine(line)).toMatchObject({ message: line });
  });

  it("other INFO lines and look-alikes are not network lines", () => {
    for (const l of [
      "nid005123:48211:48211 [0] NCCL INFO Channel 00/0 : 0[0] -> 8[0] [send] via NET/Socket/0",
      "nid005123:48211:48211 [0] NCCL INFO comm 0x5581 rank 0 nranks 16 cudaDev 0 busId c1000 - Init COMPLETE",
      "Using network Socket",
      "nid005123:48211:48211 [0] NCCL WARN NET/Socket : no interface found"
    ])
      expect(parseLine(l)?.kind).not.toBe("rccl_net");
  });
});
