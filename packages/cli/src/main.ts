import { Command } from "commander";
import { commandsFor, registerCommands } from "./commands/index.ts";
import { addExamples } from "./commands/examples.ts";

const program = new Command("neoxctl")
  .description("Plan, submit, monitor and recover GPT-NeoX training runs on ROCm Slurm clusters.")
  .version("0.1.0")
  .showHelpAfterError();

await registerCommands(program, commandsFor(process.argv.slice(2)));
addExamples(program);

await program.parseAsync(process.argv);
