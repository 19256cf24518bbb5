import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { addExamples, commandPath, EXAMPLES } from "./examples.ts";
import { registerCommands } from "./index.ts";

async function fullProgram(): Promise<Command> {
  const program = new Command("neoxctl");
  await registerCommands(program);
  addExamples(program);
  return program;
}

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

function helpOf(cmd: Command): string {
  let text = "";
  cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

describe("--help examples", () => {
  it("ends every command's help, and the program's, with an Examples section of neoxctl lines", async () => {
    const commands = allCommands(await fullProgram());
    expect(commands.length).toBeGreaterThan(14);
    for (const cmd of commands) {
      const help = helpOf(cmd);
      const section = /\nExamples:\n((?: {2}\$ neoxctl .+\n)+)$/.exec(help);
      expect(section, `neoxctl ${commandPath(cmd)} --help`).not.toBeNull();
    }
  });

  it("has no examples for a command that does not exist", async () => {
    const paths = new Set(allCommands(await fullProgram()).map(commandPath));
    expect(Object.keys(EXAMPLES).filter((p) => !paths.has(p))).toEqual([]);
  });

  it("uses only options the command defines in its examples", async () => {
    for (const cmd of allCommands(await fullProgram())) {
      // the program's and a command group's examples run their subcommands
      if (cmd.commands.length > 0) continue;
      const flags = new Set(cmd.options.flatMap((o) => [o.long, o.short]).filter((f) => f !== undefined));
      for (const line of EXAMPLES[commandPath(cmd)] ?? [])
        for (const w of line.split(/\s+/).filter((x) => x.startsWith("-")))
          expect(flags, `${line}: ${w}`).toContain(w);
    }
  });
});
