import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findNetPlugin, rcclNetLines } from "./rccl-net.ts";

const dir = mkdtempSync(join(tmpdir(), "emu-rccl-"));
const lib = join(dir, "plugin", "lib");
mkdirSync(lib, { recursive: true });
writeFileSync(join(lib, "librccl-net.so"), "");
writeFileSync(join(lib, "librccl-net-ofi.so"), "");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const r = { host: "nid001", pid: 4242, localRank: 1, nodeIndex: 0 };
const INFO = { NCCL_DEBUG: "INFO", NCCL_DEBUG_SUBSYS: "INIT,NET" };

describe("the emulator's RCCL network lines", () => {
  it("finds librccl-net.so on LD_LIBRARY_PATH, or the NCCL_NET_PLUGIN name, as RCCL's dlopen would", () => {
    expect(findNetPlugin({ LD_LIBRARY_PATH: `/nonexistent:${lib}` }).plugin).toBe(
      join(lib, "librccl-net.so")
    );
    expect(findNetPlugin({}).plugin).toBeNull();
    expect(findNetPlugin({ NCCL_NET_PLUGIN: "ofi", LD_LIBRARY_PATH: lib }).plugin).toBe(
      join(lib, "librccl-net-ofi.so")
    );
    expect(findNetPlugin({ NCCL_NET_PLUGIN: join(lib, "librccl-net.so") }).plugin).toBe(
      join(lib, "librccl-net.so")
    );
    expect(findNetPlugin({ NCCL_NET_PLUGIN: "missing", LD_LIBRARY_PATH: lib })).toEqual({
      plugin: null,
      tried: "missing librccl-net-missing.so"
    });
  });

  it("with the plugin: loaded, provider, AWS Libfabric", () => {
    expect(rcclNetLines({ ...INFO, LD_LIBRARY_PATH: lib }, r)).toEqual([
      "nid001:4242:4242 [1] NCCL INFO NET/Plugin: Loaded net plugin AWS Libfabric (v6)",
      "nid001:4242:4242 [1] NCCL INFO NET/OFI Using aws-ofi-rccl 1.4.0",
      "nid001:4242:4242 [1] NCCL INFO NET/OFI Selected Provider is cxi (found 4 nics)",
      "nid001:4242:4242 [1] NCCL INFO Using network AWS Libfabric"
    ]);
  });

  it("without it: no plugin, no IB device, the socket interfaces, Socket", () => {
    const lines = rcclNetLines({ ...INFO, NCCL_SOCKET_IFNAME: "hsn0,hsn1" }, r);
    expect(lines.at(-1)).toBe("nid001:4242:4242 [1] NCCL INFO Using network Socket");
    expect(lines).toContain("nid001:4242:4242 [1] NCCL INFO NET/Plugin: No plugin found (librccl-net.so)");
    expect(lines).toContain(
      "nid001:4242:4242 [1] NCCL INFO NET/Socket : Using [0]hsn0:10.253.0.1<0> [1]hsn1:10.253.0.2<0>"
    );
  });

  it("prints nothing below INFO, and honours the subsystem filter", () => {
    expect(rcclNetLines({}, r)).toEqual([]);
    expect(rcclNetLines({ NCCL_DEBUG: "WARN" }, r)).toEqual([]);
    expect(rcclNetLines({ NCCL_DEBUG: "info", NCCL_DEBUG_SUBSYS: "INIT" }, r)).toHaveLength(5);
    expect(rcclNetLines({ NCCL_DEBUG: "INFO", NCCL_DEBUG_SUBSYS: "COLL" }, r)).toEqual([]);
    // the decision is an INIT-only line: `^INIT` keeps the NET lines and loses it
    const notInit = rcclNetLines({ NCCL_DEBUG: "INFO", NCCL_DEBUG_SUBSYS: "^INIT" }, r);
    expect(notInit).toHaveLength(4);
    expect(notInit.join("\n")).not.toContain("Using network");
    expect(rcclNetLines({ NCCL_DEBUG: "INFO" }, r).at(-1)).toContain("Using network Socket");
  });
});
