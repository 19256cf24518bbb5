import type { Command } from "commander";

/** What each command module exports: it adds its command(s) to the program. */
export interface CommandModule {
  register(program: Command): void;
}

/**
 * Every top-level command and the module that defines it. A module is imported only when its
 * command runs (or when the full command list is printed), so one command's start-up does not pay
 * for the others' dependencies (Redis clients, SSH, zod schemas, the web server). Keep one line per
 * command so parallel work on different commands does not collide.
 */
export const COMMAND_MODULES: Readonly<Record<string, () => Promise<CommandModule>>> = {
  plan: () => import("./plan.ts"),
  schema: () => import("./schema.ts"),
  spikes: () => import("./spikes.ts"),
  dashboard: () => import("./dashboard.ts"),
  cluster: () => import("./cluster.ts"),
  submit: () => import("./submit.ts"),
  supervise: () => import("./supervise.ts"),
  status: () => import("./status.ts"),
  events: () => import("./events.ts"),
  logs: () => import("./logs.ts"),
  rollback: () => import("./rollback.ts"),
  ack: () => import("./controls.ts"),
  cancel: () => import("./controls.ts"),
  resume: () => import("./controls.ts"),
  exclude: () => import("./controls.ts"),
  init: () => import("./init.ts"),
  simulate: () => import("./simulate.ts"),
  doctor: () => import("./doctor.ts"),
  smoke: () => import("./smoke.ts"),
  data: () => import("./data.ts"),
  silence: () => import("./silence.ts")
};

/** Registers the named commands (all of them when `names` is omitted), each module once. */
export async function registerCommands(program: Command, names?: readonly string[]): Promise<void> {
  const wanted = names ?? Object.keys(COMMAND_MODULES);
  const modules = await Promise.all(wanted.map((n) => COMMAND_MODULES[n]!()));
  for (const m of new Set(modules)) m.register(program);
}

/**
 * Which commands an argv needs, read before commander parses it: the named command alone; none
 * for a bare `--version`; all of them when the full help or an unknown-command message (with its
 * suggestions) may be printed.
 */
export function commandsFor(args: readonly string[]): string[] | undefined {
  const words = args.filter((a) => !a.startsWith("-"));
  const name = words[0] === "help" ? words[1] : words[0];
  if (name !== undefined) return Object.hasOwn(COMMAND_MODULES, name) ? [name] : undefined;
  const asksVersion = args.includes("-V") || args.includes("--version");
  const asksHelp = args.includes("-h") || args.includes("--help");
  return asksVersion && !asksHelp ? [] : undefined;
}
