import { Redis } from "ioredis";
import { defaultRedisUrl } from "@neoxctl/supervisor";

/** A Redis connection and a key prefix unique to one test, removed afterwards. */
export async function testRedis(
  tag: string
): Promise<{ redis: Redis; prefix: string; cleanup: () => Promise<void> }> {
  const redis = new Redis(defaultRedisUrl(), { maxRetriesPerRequest: 2 });
  const prefix = `neoxctl-test:${tag}:${process.pid}:${Date.now()}:`;
  return {
    redis,
    prefix,
    cleanup: async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  };
}
