import type { Command } from "commander";
import { register as registerPlan } from "./plan.ts";
import { register as registerSchema } from "./schema.ts";
import { register as registerSpikes } from "./spikes.ts";
import { register as registerDashboard } from "./dashboard.ts";
import { register as registerCluster } from "./cluster.ts";

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
}
