import { describe, expect, it } from "vitest";
import { PythonError } from "../config/python-error.ts";
import { checkMasterAddr } from "./rendezvous.ts";
import type { RankEnv } from "./rank-env.ts";

const rank = (r: number, masterAddr: string): RankEnv => ({
  rank: r,
  localRank: r % 2,
  worldSize: 4,
  masterAddr,
  masterPort: "29500"
});

function failure(env: NodeJS.ProcessEnv, r: RankEnv): string {
  try {
    checkMasterAddr(env, r);
    return "ok";
  } catch (e) {
    if (!(e instanceof PythonError)) throw e;
    return `${e.preamble.join("\n")}\n${e.pyType}: ${e.message}`;
  }
}

describe("the rendezvous at MASTER_ADDR", () => {
  it("fails on rank 0 when MASTER_ADDR is not the node rank 0 runs on, as torch.distributed's store would", () => {
    const out = failure({ SLURMD_NODENAME: "nid001" }, rank(0, "nid003"));
    expect(out).toContain("rank 0 runs on nid001 but MASTER_ADDR=nid003");
    expect(out).toContain(
      "torch.distributed.DistStoreError: Timed out after 1801 seconds waiting for clients. 1/4 clients joined."
    );
  });

  it("passes when MASTER_ADDR is rank 0's node (short or qualified name), and on the other ranks", () => {
    expect(failure({ SLURMD_NODENAME: "nid001" }, rank(0, "nid001"))).toBe("ok");
    expect(failure({ SLURMD_NODENAME: "nid001" }, rank(0, "nid001.cluster"))).toBe("ok");
    // only rank 0 knows where the store is served
    expect(failure({ SLURMD_NODENAME: "nid003" }, rank(1, "nid001"))).toBe("ok");
    // an address is not resolved; localhost on a one-node step is rank 0's node
    expect(failure({ SLURMD_NODENAME: "nid001" }, rank(0, "10.0.0.7"))).toBe("ok");
    expect(failure({ SLURMD_NODENAME: "nid001", SLURM_STEP_NUM_NODES: "1" }, rank(0, "localhost"))).toBe(
      "ok"
    );
    expect(failure({ SLURMD_NODENAME: "nid001", SLURM_STEP_NUM_NODES: "2" }, rank(0, "localhost"))).not.toBe(
      "ok"
    );
  });
});
