import type { Command } from "commander";
import { SpecError } from "@neoxctl/core";
import { parseDuration, parseSilenceTarget, SilenceStore, targetText } from "@neoxctl/dashboard";
import type { Silence } from "@neoxctl/dashboard";
import { openStore } from "@neoxctl/supervisor";
import { printJson, printLine, runAction } from "../output.ts";
import { cliActor } from "../actor.ts";

async function withSilences<T>(f: (s: SilenceStore) => Promise<T>): Promise<T> {
  const { store, close } = await openStore();
  try {
    return await f(new SilenceStore(store.redis, store.keys.prefix));
  } finally {
    close();
  }
}

function wantsJson(cmd: Command): boolean {
  return (cmd.optsWithGlobals() as { json?: boolean }).json === true;
}

function line(s: Silence): string {
  return `${s.id}  ${targetText(s.target)}  until ${s.until}  by ${s.by}: ${s.reason}`;
}

/**
 * `neoxctl silence`: alerts for a run or a team label are not sent while a silence covers them.
 * Silences live in Redis (the supervisor's prefix) and end by themselves.
 */
export function register(program: Command): void {
  const silence = program
    .command("silence")
    .description(
      "Silence alerts for a run or a team label for a while (`list` shows silences in force, `rm` ends one)"
    )
    .argument("<target>", "a run id, run:<id> or team:<label>")
    // checked in the action: commander would demand required options of `silence list` too
    .option("--for <duration>", "how long, e.g. 30m, 2h, 1h30m (at most 30d); required")
    .option("--reason <text>", "why (shown in `silence list` and on the dashboard); required")
    .option("--json", "print the silence as JSON")
    .action(async (targetArg: string, opts: { for?: string; reason?: string; json?: boolean }) =>
      runAction(opts.json === true, async () => {
        const target = parseSilenceTarget(targetArg);
        const forMs = parseDuration(opts.for ?? "");
        const reason = (opts.reason ?? "").trim();
        if (reason === "" || reason.length > 500)
          throw new SpecError("SPEC_INVALID", [
            { path: "--reason", received: opts.reason ?? "(none)", rule: "required, 1-500 characters" }
          ]);
        const s = await withSilences((store) => store.add({ target, forMs, reason, by: cliActor() }));
        if (opts.json === true) printJson(s);
        else
          printLine(
            `silenced ${targetText(s.target)} until ${s.until} (silence ${s.id}); end it early with \`neoxctl silence rm ${s.id}\``
          );
      })
    );
  silence
    .command("list")
    .description("List the silences in force")
    .option("--json", "print JSON")
    // `--json` after `list` is parsed as the parent's option too: read both
    .action(async (_opts: { json?: boolean }, cmd: Command) =>
      runAction(wantsJson(cmd), async () => {
        const list = await withSilences((store) => store.list());
        if (wantsJson(cmd)) return printJson(list);
        if (list.length === 0) return printLine("no silences in force");
        for (const s of list) printLine(line(s));
      })
    );
  silence
    .command("rm")
    .description("End a silence now")
    .argument("<id>", "silence id (from `neoxctl silence list`)")
    .option("--json", "print JSON")
    .action(async (id: string, _opts: { json?: boolean }, cmd: Command) =>
      runAction(wantsJson(cmd), async () => {
        const removed = await withSilences((store) => store.remove(id));
        if (!removed)
          throw new SpecError("SPEC_INVALID", [{ path: "<id>", received: id, rule: "a silence in force" }]);
        if (wantsJson(cmd)) printJson({ id, removed });
        else printLine(`silence ${id} ended`);
      })
    );
}
