import { Redis } from "ioredis";
import type { ExecTarget } from "@neoxctl/exec";
import { createExecutor, execTargetFromAccess } from "@neoxctl/exec";
import { SlurmClient } from "@neoxctl/slurm";
import { AccessSchema, StateError, redactUrl } from "@neoxctl/core";
import { Keys, defaultRedisUrl } from "../store/keys.ts";
import { RunStore } from "../store/run-store.ts";
import { SlurmAdapter } from "../adapters/slurm-client.ts";
import type { ClusterHandle, ClusterResolver } from "./cluster.ts";

/** Key prefix for this deployment (NEOXCTL_REDIS_PREFIX; tests use their own). */
export function defaultPrefix(): string {
  return process.env.NEOXCTL_REDIS_PREFIX ?? "neoxctl:";
}

/**
 * Connects to Redis. Commands wait for a Redis that is restarting instead of failing fast
 * (`maxRetriesPerRequest: null`), which is what BullMQ needs too.
 */
export function connectRedis(url = defaultRedisUrl(), onError: (e: Error) => void = () => {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  // ioredis reconnects by itself; without a listener each failed attempt is an "unhandled error"
  redis.on("error", onError);
  return redis;
}

/** A store for CLI commands: fails fast with STORE_UNAVAILABLE when Redis is not there. */
export async function openStore(
  prefix = defaultPrefix(),
  url = defaultRedisUrl()
): Promise<{ store: RunStore; close: () => void }> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null, lazyConnect: true });
  try {
    await redis.connect();
  } catch (e) {
    throw new StateError(
      "STORE_UNAVAILABLE",
      `cannot reach Redis at ${redactUrl(url)}: ${e instanceof Error ? e.message : String(e)}`
    );
  }
  return { store: new RunStore(redis, new Keys(prefix)), close: () => redis.disconnect() };
}

/** A stored run's profile access (read back from Redis, so validated again) as an executor target. */
export function execTargetOf(access: unknown): ExecTarget {
  return execTargetFromAccess(AccessSchema.parse(access ?? { kind: "local" }));
}

/** One executor and Slurm client per cluster, made on first use from the run's profile access. */
export function cachingResolver(): ClusterResolver & { closeAll: () => Promise<void> } {
  const cache = new Map<string, Promise<ClusterHandle>>();
  const resolve = ((cluster: string, access: unknown) => {
    let h = cache.get(cluster);
    if (!h) {
      h = createExecutor(execTargetOf(access)).then((exec) => ({
        exec,
        slurm: new SlurmAdapter(new SlurmClient(exec))
      }));
      cache.set(cluster, h);
    }
    return h;
  }) as ClusterResolver & { closeAll: () => Promise<void> };
  resolve.closeAll = async () => {
    for (const h of cache.values()) await (await h).exec.close().catch(() => {});
  };
  return resolve;
}
