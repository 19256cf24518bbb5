import type { Command } from "commander";
import { register as registerPlan } from "./plan.ts";
import { register as registerSchema } from "./schema.ts";
import { register as registerSpikes } from "./spikes.ts";
import { register as registerDashboard } from "./dashboard.ts";
import { register as registerCluster } from "./cluster.ts";
import { register as registerSubmit } from "./submit.ts";
import { register as registerSupervise } from "./supervise.ts";
import { register as registerStatus } from "./status.ts";
import { register as registerEvents } from "./events.ts";
import { register as registerLogs } from "./logs.ts";
import { register as registerRollback } from "./rollback.ts";
import { register as registerControls } from "./controls.ts";
import { register as registerInit } from "./init.ts";

/**
 * Each command lives in its own module and registers itself here. Keep one line per command so
 * parallel work on different commands does not collide.
 */
export function registerCommands(program: Command): void {
  // commands are added below, one register call each
  registerPlan(program);
  registerSchema(program);
  registerSpikes(program);
  registerDashboard(program);
  registerCluster(program);
  registerSubmit(program);
  registerSupervise(program);
  registerStatus(program);
  registerEvents(program);
  registerLogs(program);
  registerRollback(program);
  registerControls(program);
  registerInit(program);
}
