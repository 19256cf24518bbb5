import { isTerminal } from "../../run-state.ts";
import type { Committer, RunCycle } from "../cycle.ts";
import type { ControlCommand } from "./command.ts";
import { ControlCommandSchema } from "./command.ts";
import { decodeRecord } from "../../store/decode.ts";
import type { Op } from "../../store/run-store.ts";
import { noteOps } from "../transition.ts";
import type { ControlContext } from "./control-context.ts";
import { reject } from "./control-context.ts";
import { cancel } from "./cancel.ts";
import { resume } from "./resume.ts";
import { ack } from "./ack.ts";
import { rollback } from "./rollback.ts";
import { exclude } from "./exclude.ts";

/** Handles the oldest queued command, if any; true when one was handled (the run changed). */
export async function applyControl(deps: Committer, c: RunCycle): Promise<boolean> {
  const { store } = deps;
  const key = store.keys.control(c.run.id);
  const raw = await store.redis.lindex(key, 0);
  if (!raw) return false;
  const done: Op = { op: "lrem", key, value: raw };
  const decoded = decodeRecord(ControlCommandSchema, raw, { kind: "control", key, runId: c.run.id });
  if (!decoded.ok) {
    // an unreadable command is dropped with an event, so the commands behind it still run
    store.corrupt.note(decoded.error);
    await deps.commit(c, [
      done,
      ...noteOps(store, c.run, {
        type: "control_rejected",
        cause: decoded.error.message,
        evidence: {},
        at: c.now
      })
    ]);
    return true;
  }
  const cmd: ControlCommand = decoded.value;
  const eventsKey = store.keys.events(c.run.id);
  // every event the command produces records who asked for it
  const byActor: Committer =
    cmd.actor === undefined
      ? deps
      : {
          store,
          commit: (cycle, ops) =>
            deps.commit(
              cycle,
              ops.map((o) => (o.op === "xadd" && o.key === eventsKey ? withActor(o, cmd.actor as string) : o))
            )
        };
  const attempt = await store.getAttempt(c.run.id, c.run.attempts);
  const x: ControlContext = {
    deps: byActor,
    c,
    cmd,
    done,
    attempt,
    job: attempt?.jobId ? c.jobs.get(attempt.jobId) : undefined,
    excludeNodes: (await store.badNodes(c.run.id, c.now)).map((b) => b.node)
  };
  if (isTerminal(c.run.state)) return reject(x, `run is ${c.run.state}`);
  switch (cmd.kind) {
    case "cancel":
      return cancel({ ...x, cmd });
    case "resume":
      return resume({ ...x, cmd });
    case "ack":
      return ack({ ...x, cmd });
    case "rollback":
      return rollback({ ...x, cmd });
    case "exclude":
      return exclude({ ...x, cmd });
  }
}

function withActor(o: Extract<Op, { op: "xadd" }>, actor: string): Op {
  return { ...o, value: JSON.stringify({ ...(JSON.parse(o.value) as object), actor }) };
}
