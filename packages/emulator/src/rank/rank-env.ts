import { PythonError } from "../config/python-error.ts";

export interface RankEnv {
  rank: number;
  localRank: number;
  worldSize: number;
  masterAddr: string;
  masterPort: string;
}

const REQUIRED = ["RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "LOCAL_RANK"] as const;

/**
 * What train.py's `deepspeed.init_distributed` needs. With deepspeed_slurm NeoX first copies
 * SLURM_PROCID/SLURM_LOCALID/SLURM_NTASKS into RANK/LOCAL_RANK/WORLD_SIZE (arguments.py
 * `configure_distributed_args`, which raises KeyError outside a Slurm step); DeepSpeed then needs all
 * five variables, and without them falls back to MPI discovery, which fails without mpi4py
 * (DeeperSpeed deepspeed/comm/comm.py `init_distributed`, `mpi_discovery`).
 */
export function readRankEnv(env: NodeJS.ProcessEnv, deepspeedSlurm: boolean): RankEnv {
  const e = { ...env };
  if (deepspeedSlurm) {
    for (const k of ["SLURM_LOCALID", "SLURM_PROCID", "SLURM_NTASKS"])
      if (e[k] === undefined) throw new PythonError("KeyError", `'${k}'`);
    e["LOCAL_RANK"] = e["SLURM_LOCALID"];
    e["RANK"] = e["SLURM_PROCID"];
    e["WORLD_SIZE"] = e["SLURM_NTASKS"];
  }
  if (REQUIRED.some((k) => e[k] === undefined || e[k] === ""))
    throw new PythonError("ModuleNotFoundError", "No module named 'mpi4py'", [
      "[INFO] [comm.py:init_distributed] Not using the DeepSpeed or dist launchers, attempting to detect MPI environment..."
    ]);
  const int = (k: string): number => {
    const n = Number(e[k]);
    if (!Number.isInteger(n) || n < 0)
      throw new PythonError("ValueError", `invalid literal for int() with base 10: '${e[k]}'`);
    return n;
  };
  const r: RankEnv = {
    rank: int("RANK"),
    localRank: int("LOCAL_RANK"),
    worldSize: int("WORLD_SIZE"),
    masterAddr: e["MASTER_ADDR"]!,
    masterPort: e["MASTER_PORT"]!
  };
  if (r.rank >= r.worldSize)
    throw new PythonError("ValueError", `rank ${r.rank} is not below the world size ${r.worldSize}`);
  return r;
}
