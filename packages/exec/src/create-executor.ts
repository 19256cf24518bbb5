import type { ExecTarget, Executor } from "./executor.ts";
import { LocalExecutor } from "./local-executor.ts";
import { SshExecutor } from "./ssh/ssh-executor.ts";

/** The executor for a target; SSH ones connect lazily, on first use or `connect()`. */
export async function createExecutor(target: ExecTarget): Promise<Executor> {
  switch (target.kind) {
    case "local":
      return new LocalExecutor();
    case "ssh":
      return SshExecutor.fromTarget(target);
  }
}
