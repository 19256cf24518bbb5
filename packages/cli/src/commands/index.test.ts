import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { COMMAND_MODULES, commandsFor, registerCommands } from "./index.ts";

describe("commandsFor (which command modules an argv loads)", () => {
  it("loads nothing for a bare --version", () => {
    expect(commandsFor(["--version"])).toEqual([]);
    expect(commandsFor(["-V"])).toEqual([]);
  });

  it("loads only the named command, also for its help", () => {
    expect(commandsFor(["status", "--json"])).toEqual(["status"]);
    expect(commandsFor(["rollback", "r1", "--to-step", "100"])).toEqual(["rollback"]);
    expect(commandsFor(["plan", "--help"])).toEqual(["plan"]);
    expect(commandsFor(["help", "logs"])).toEqual(["logs"]);
  });

  it("loads every command when the full help or an unknown-command message may be printed", () => {
    for (const argv of [
      [],
      ["--help"],
      ["-h"],
      ["help"],
      ["--version", "--help"],
      ["statsu"],
      ["constructor"]
    ])
      expect(commandsFor(argv), argv.join(" ")).toBeUndefined();
  });
});

describe("the command table", () => {
  it("names each command after what its module registers", async () => {
    for (const [name, load] of Object.entries(COMMAND_MODULES)) {
      const program = new Command("neoxctl");
      (await load()).register(program);
      expect(
        program.commands.map((c) => c.name()),
        name
      ).toContain(name);
    }
  });

  it("registers a module's commands once when several names share it", async () => {
    const program = new Command("neoxctl");
    await registerCommands(program, ["ack", "cancel", "resume", "exclude"]);
    expect(program.commands.map((c) => c.name()).sort()).toEqual(["ack", "cancel", "exclude", "resume"]);
  });
});
