import { commandsFor, registerCommands } from "./commands/index.ts";
import { addExamples } from "./commands/examples.ts";
import { addEnvironment } from "./commands/environment.ts";

const VERSION = "0.1.0";
const args = process.argv.slice(2);

// Scripts and health checks call `neoxctl --version` on every run: it is answered, as commander
// would answer it, before commander is loaded.
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { Command } = await import("commander");
  const program = new Command("neoxctl")
    .description("Plan, submit, monitor and recover GPT-NeoX training runs on ROCm Slurm clusters.")
    .version(VERSION)
    .showHelpAfterError();
  await registerCommands(program, commandsFor(args));
  addEnvironment(program);
  addExamples(program);
  await program.parseAsync(process.argv);
}
