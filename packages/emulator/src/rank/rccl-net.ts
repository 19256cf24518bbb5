import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * What RCCL prints at `NCCL_DEBUG=INFO` when a rank's first communicator picks its network, modelled
 * on ROCm/rccl @0e657bc:
 * - src/net.cc `openNetPluginLib`: with `NCCL_NET_PLUGIN` set, dlopen() that name, then
 *   `librccl-net-<name>.so`; without it, `librccl-net.so`. dlopen() of a bare name searches
 *   LD_LIBRARY_PATH, which is how the LUMI bindings module and OLCF's rccl-net-plugin module (and
 *   a self-built aws-ofi-rccl: OLCF pytorch_frontier.rst) make the plugin visible. Found: `NET/Plugin:
 *   Loaded net plugin <name> (vN)`; missing: `NET/Plugin: No plugin found (<lib>)` and `NET/Plugin:
 *   Using internal network plugin.`
 * - the plugin's init (ROCm/aws-ofi-rccl src/nccl_ofi_net.c): `NET/OFI Using aws-ofi-rccl …`,
 *   `NET/OFI Selected Provider is <prov> (found N nics)`; it names itself `AWS Libfabric`.
 * - without a plugin: IB finds no HCA on Slingshot (`NET/IB : No device found.`), the socket transport
 *   opens the interfaces (`NET/Socket : Using [0]<if>:<addr><0>`, src/transport/net_socket.cc).
 * - src/init.cc: `Using network <name>` (INIT subsystem only; the others are INIT|NET).
 *
 * Known differences: a file of the right name counts as a loadable plugin (no dlopen, no symbol or
 * version check, no ld.so.cache or default library directories, no RPATH); the provider is
 * `FI_PROVIDER` or `cxi` and never fails to start (a real plugin whose provider cannot start is
 * skipped, and RCCL falls back to sockets); addresses are made up; RCCL's other INFO lines
 * (topology, rings, channels) are not printed.
 */

type Subsystem = "INIT" | "NET";

export interface RcclNetChoice {
  /** the plugin library found, or null: sockets */
  plugin: string | null;
  /** the library name(s) tried, for the "No plugin found" line */
  tried: string;
}

/** The plugin RCCL would load from this environment (see the module comment for what is modelled). */
export function findNetPlugin(env: NodeJS.ProcessEnv): RcclNetChoice {
  const named = env["NCCL_NET_PLUGIN"];
  const names = named ? [named, `librccl-net-${named}.so`] : ["librccl-net.so"];
  for (const name of names) {
    const found = resolveLibrary(name, env);
    if (found !== null) return { plugin: found, tried: names.join(" ") };
  }
  return { plugin: null, tried: names.join(" ") };
}

function resolveLibrary(name: string, env: NodeJS.ProcessEnv): string | null {
  if (name.includes("/")) return existsSync(name) ? name : null;
  for (const dir of (env["LD_LIBRARY_PATH"] ?? "").split(":")) {
    if (dir === "") continue;
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return null;
}

/**
 * Which subsystems' INFO lines RCCL prints: NCCL_DEBUG must be INFO (or TRACE); NCCL_DEBUG_SUBSYS is a
 * comma list, `^` in front inverts it, `ALL` is everything; unset means RCCL's default, which includes INIT.
 */
function infoEnabled(env: NodeJS.ProcessEnv, flags: readonly Subsystem[]): boolean {
  const level = (env["NCCL_DEBUG"] ?? "").toUpperCase();
  if (level !== "INFO" && level !== "TRACE") return false;
  const raw = env["NCCL_DEBUG_SUBSYS"];
  if (raw === undefined || raw === "") return flags.includes("INIT");
  const invert = raw.startsWith("^");
  const list = (invert ? raw.slice(1) : raw).split(",").map((s) => s.trim().toUpperCase());
  // the list (or its complement) is a mask; a line prints when any of its flags is in the mask
  const inMask = (f: Subsystem): boolean => (list.includes("ALL") || list.includes(f)) !== invert;
  return flags.some(inMask);
}

export interface RcclRank {
  host: string;
  pid: number;
  localRank: number;
  /** the node's index in the allocation, for a stable made-up address */
  nodeIndex: number;
}

/** The lines one rank prints as its first communicator picks the network; none unless NCCL_DEBUG=INFO. */
export function rcclNetLines(env: NodeJS.ProcessEnv, r: RcclRank): string[] {
  const prefix = `${r.host}:${r.pid}:${r.pid} [${r.localRank}] NCCL INFO `;
  const out: string[] = [];
  const say = (flags: readonly Subsystem[], msg: string): void => {
    if (infoEnabled(env, flags)) out.push(prefix + msg);
  };
  const both: Subsystem[] = ["INIT", "NET"];
  const choice = findNetPlugin(env);
  if (choice.plugin !== null) {
    say(both, "NET/Plugin: Loaded net plugin AWS Libfabric (v6)");
    say(both, "NET/OFI Using aws-ofi-rccl 1.4.0");
    say(both, `NET/OFI Selected Provider is ${env["FI_PROVIDER"] || "cxi"} (found 4 nics)`);
    say(["INIT"], "Using network AWS Libfabric");
    return out;
  }
  say(both, `NET/Plugin: No plugin found (${choice.tried})`);
  say(both, "NET/Plugin: Using internal network plugin.");
  say(both, "NET/IB : No device found.");
  const ifs = (env["NCCL_SOCKET_IFNAME"] || "eth0").replace(/^[=^]/, "").split(",").filter(Boolean);
  const opened = ifs
    .map(
      (name, i) => `[${i}]${name}:10.253.${(r.nodeIndex >> 6) & 255}.${((r.nodeIndex & 63) << 2) + i + 1}<0>`
    )
    .join(" ");
  say(both, `NET/Socket : Using ${opened}`);
  say(["INIT"], "Using network Socket");
  return out;
}
