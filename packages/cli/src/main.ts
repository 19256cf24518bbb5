import { Command } from "commander";
import { registerCommands } from "./commands/index.ts";

const program = new Command("neoxctl")
  .description("Plan, submit, monitor and recover GPT-NeoX training runs on ROCm Slurm clusters.")
  .version("0.1.0")
  .showHelpAfterError();

registerCommands(program);

await program.parseAsync(process.argv);
