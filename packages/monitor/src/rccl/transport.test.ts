import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR } from "../__fixtures__/paths.ts";
import { readRcclTransport, RcclTransportReader, transportOfNetwork } from "./transport.ts";

const lines = (name: string): string[] =>
  readFileSync(join(FIXTURES_DIR, "rccl", name), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");

const TRAINING = " iteration       10/     400 | elapsed time per iteration (ms): 51.2 | lm_loss: 9.8 |";

describe("readRcclTransport", () => {
  it("the plugin path reads as ofi over cxi", () => {
    const r = readRcclTransport([TRAINING, ...lines("ofi.txt")]);
    expect(r).toMatchObject({
      transport: "ofi",
      networks: ["AWS Libfabric", "Libfabric"],
      provider: "cxi",
      socketNodes: [],
      pluginMissingNodes: []
    });
    expect(r.evidence[0]).toContain("Loaded net plugin");
  });

  it("the fallback reads as socket, names the nodes and puts the socket lines first in the evidence", () => {
    const r = readRcclTransport(lines("socket.txt"));
    expect(r).toMatchObject({
      transport: "socket",
      networks: ["Socket"],
      provider: null,
      socketNodes: ["nid005123", "nid005124"],
      pluginMissingNodes: ["nid005123"]
    });
    expect(r.evidence).toContain(lines("socket.txt")[3]);
    expect(r.evidence.length).toBeLessThanOrEqual(6);
  });

  it("one node on sockets among plugin nodes makes the job socket (the slowest link sets the pace)", () => {
    const r = readRcclTransport([...lines("ofi.txt"), lines("socket.txt")[4]!]);
    expect(r.transport).toBe("socket");
    expect(r.socketNodes).toEqual(["nid005124"]);
    expect(r.evidence[0]).toContain("Using network Socket");
  });

  it("no INFO lines: nothing known", () => {
    expect(readRcclTransport([TRAINING])).toMatchObject({ transport: null, networks: [], evidence: [] });
  });

  it("keeps one copy of a message every rank repeats", () => {
    const reader = new RcclTransportReader();
    for (let rank = 0; rank < 512; rank++)
      reader.pushLine(`nid00${5000 + (rank >> 3)}:1:1 [${rank % 8}] NCCL INFO Using network Socket`);
    const r = reader.reading();
    expect(r.evidence).toHaveLength(1);
    expect(r.socketNodes).toHaveLength(64);
  });
});

describe("transportOfNetwork", () => {
  it.each([
    ["AWS Libfabric", "ofi"],
    ["Libfabric", "ofi"],
    ["Socket", "socket"],
    ["IB", "ib"],
    ["Gin", "other"]
  ] as const)("%s → %s", (name, t) => {
    expect(transportOfNetwork(name)).toBe(t);
  });
});
