import type { Command } from "commander";

/**
 * Each command lives in its own module and registers itself here. Keep one line per command so
 * parallel work on different commands does not collide.
 */
export function registerCommands(_program: Command): void {
  // commands are added below, one register call each
}
