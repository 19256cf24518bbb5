import { describe, expect, it } from "vitest";
import { NetworkProfileSchema } from "@neoxctl/core";
import { readRcclTransport } from "@neoxctl/monitor";
import { transportFallback } from "./transport-check.ts";

// formats and sources: packages/monitor/src/__fixtures__/rccl/README.md
const SOCKET = [
  "nid005123:48211:48211 [0] NCCL INFO NET/Plugin: No plugin found (librccl-net.so)",
  "nid005123:48211:48211 [0] NCCL INFO NET/Socket : Using [0]hsn0:10.253.1.17<0>",
  "nid005123:48211:48211 [0] NCCL INFO Using network Socket"
];
const OFI = (provider: string): string[] => [
  "nid005123:48211:48211 [0] NCCL INFO NET/Plugin: Loaded net plugin AWS Libfabric (v5)",
  `nid005123:48211:48211 [0] NCCL INFO NET/OFI Selected Provider is ${provider} (found 4 nics)`,
  "nid005123:48211:48211 [0] NCCL INFO Using network AWS Libfabric"
];
const profile = (n: Record<string, unknown>) => NetworkProfileSchema.parse(n);

describe("transportFallback", () => {
  const lumi = profile({ expected_transport: "ofi", expected_provider: "cxi" });

  it("sockets where the plugin is expected: names the nodes, the missing plugin, keeps the lines", () => {
    const f = transportFallback(lumi, readRcclTransport(SOCKET));
    expect(f).not.toBeNull();
    expect(f!.nodes).toEqual(["nid005123"]);
    expect(f!.cause).toContain("RCCL chose Socket on nid005123, not the OFI plugin");
    expect(f!.cause).toContain("no plugin library found");
    expect(f!.lines).toContain(SOCKET[2]);
  });

  it("the plugin over the expected provider is fine; over tcp it is not", () => {
    expect(transportFallback(lumi, readRcclTransport(OFI("cxi")))).toBeNull();
    expect(transportFallback(lumi, readRcclTransport(OFI("tcp")))?.cause).toContain(
      "selected libfabric provider tcp, not cxi"
    );
  });

  it("no check without an ofi expectation, and nothing to judge before RCCL said anything", () => {
    expect(transportFallback(profile({}), readRcclTransport(SOCKET))).toBeNull();
    expect(
      transportFallback(profile({ expected_transport: "socket" }), readRcclTransport(SOCKET))
    ).toBeNull();
    expect(transportFallback(lumi, undefined)).toBeNull();
    expect(
      transportFallback(
        lumi,
        readRcclTransport(["nid1:1:1 [0] NCCL INFO NET/Plugin: Loaded net plugin AWS Libfabric (v5)"])
      )
    ).toBeNull();
  });
});
