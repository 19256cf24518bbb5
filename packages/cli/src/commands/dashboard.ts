import { appendFile, readFile } from "node:fs/promises";
import { isAbsolute } from "node:path";
import type { Command } from "commander";
import { SpecError } from "@neoxctl/core";
import {
  legacyTokenWarnings,
  newNamedToken,
  parseTokensFile,
  serveDashboard,
  tokenFormat,
  TokenNameSchema,
  tokensFileLine
} from "@neoxctl/dashboard";
import { readNamedTokens } from "../dashboard-tokens.ts";
import { printJson, printLine, runAction } from "../output.ts";

interface DashboardOptions {
  port: string;
  host: string;
  tokenFile?: string;
  tokensFile?: string;
  readTokenFile?: string;
  allowRemote?: boolean;
  allowedHost: string[];
  tlsCert?: string;
  tlsKey?: string;
  sseMax: string;
  sseMaxPerClient: string;
  prefix: string;
  docsBaseUrl?: string;
}

function invalid(path: string, rule: string): SpecError {
  return new SpecError("SPEC_INVALID", [{ path, received: "(not shown)", rule }]);
}

/** Secrets come from files or the environment, never from argv (visible in `ps`). */
async function readToken(
  file: string | undefined,
  envValue: string | undefined,
  option: string
): Promise<string | undefined> {
  if (file !== undefined && !isAbsolute(file)) throw invalid(option, "must be an absolute path");
  const raw = file ? await readFile(file, "utf8") : envValue;
  const token = raw?.trim();
  if (token !== undefined && token !== "" && token.length < 16)
    throw invalid(option, "a dashboard token must be at least 16 characters");
  return token || undefined;
}

async function readTokensText(file: string): Promise<string> {
  return readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return "";
    throw e;
  });
}

function registerTokenCommands(dashboard: Command): void {
  const token = dashboard.command("token").description("Manage the dashboard's named action tokens");
  token
    .command("add")
    .description(
      "Create a named action token: appends its name and a salted scrypt hash to the tokens file and prints the secret once"
    )
    .argument("<name>", "who holds the token; actions taken with it are recorded as dashboard:<name>")
    .requiredOption("--file <file>", "tokens file to append to (absolute path; created when missing)")
    .action((name: string, opts: { file: string }) =>
      runAction(false, async () => {
        if (!TokenNameSchema.safeParse(name).success)
          throw new SpecError("SPEC_INVALID", [
            { path: "<name>", received: name, rule: "a token name such as oncall or alice" }
          ]);
        if (!isAbsolute(opts.file)) throw invalid("--file", "must be an absolute path");
        const existing = await readTokensText(opts.file);
        if (parseTokensFile(existing, opts.file).some((t) => t.name === name))
          throw new SpecError("SPEC_INVALID", [
            { path: "<name>", received: name, rule: "the tokens file already has a token of that name" }
          ]);
        const { secret, record } = newNamedToken(name);
        const sep = existing === "" || existing.endsWith("\n") ? "" : "\n";
        await appendFile(opts.file, `${sep}${tokensFileLine(record)}`, { mode: 0o600 });
        printLine(secret);
        printLine(
          `token "${name}" added to ${opts.file} (only a salted scrypt hash is stored; the secret above is shown once)`,
          process.stderr
        );
      })
    );
  token
    .command("list")
    .description(
      "List the tokens of a tokens file by name and hash format; legacy SHA-256 entries are marked for re-issue (no hash or secret is shown)"
    )
    .requiredOption("--file <file>", "tokens file (absolute path)")
    .option("--json", "print JSON")
    .action((opts: { file: string; json?: boolean }) =>
      runAction(opts.json === true, async () => {
        if (!isAbsolute(opts.file)) throw invalid("--file", "must be an absolute path");
        const tokens = parseTokensFile(await readFile(opts.file, "utf8"), opts.file);
        const rows = tokens.map((t) => ({
          name: t.name,
          format: tokenFormat(t),
          reissue: tokenFormat(t) === "legacy-sha256"
        }));
        if (opts.json === true) return printJson(rows);
        if (rows.length === 0) return printLine(`no tokens in ${opts.file}`);
        for (const r of rows)
          printLine(
            `${r.name.padEnd(20)} ${r.format}${r.reissue ? "  RE-ISSUE: unsalted SHA-256 (legacy)" : ""}`
          );
        for (const w of legacyTokenWarnings(tokens, opts.file))
          printLine(`neoxctl dashboard: warning: ${w}`, process.stderr);
      })
    );
}

function count(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw invalid(option, "must be a positive integer");
  return n;
}

async function readTls(opts: DashboardOptions): Promise<{ key: string; cert: string } | undefined> {
  if (opts.tlsCert === undefined && opts.tlsKey === undefined) return undefined;
  if (opts.tlsCert === undefined || opts.tlsKey === undefined)
    throw invalid("--tls-cert", "--tls-cert and --tls-key go together");
  for (const [path, file] of [
    ["--tls-cert", opts.tlsCert],
    ["--tls-key", opts.tlsKey]
  ] as const)
    if (!isAbsolute(file)) throw invalid(path, "must be an absolute path");
  return { cert: await readFile(opts.tlsCert, "utf8"), key: await readFile(opts.tlsKey, "utf8") };
}

export function register(program: Command): void {
  const dashboard = program
    .command("dashboard")
    .description(
      "Serve the on-call dashboard and /metrics for Prometheus (alerts are sent by `neoxctl supervise`)."
    )
    .option("--port <port>", "port to listen on", "8080")
    .option("--host <host>", "address to bind (127.0.0.1 keeps it local)", "127.0.0.1")
    .option("--allow-remote", "allow binding to a non-loopback address (warns without TLS or a read token)")
    .option(
      "--allowed-host <name>",
      "a Host name the dashboard answers besides localhost and the bind address (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[]
    )
    .option(
      "--token-file <file>",
      "file holding the action token (else $NEOXCTL_DASHBOARD_TOKEN); without one the dashboard is read-only"
    )
    .option(
      "--tokens-file <file>",
      "named action tokens, one JSON/YAML line {name, hash} each as `dashboard token add` writes them (else $NEOXCTL_DASHBOARD_TOKENS_FILE; $NEOXCTL_DASHBOARD_TOKENS adds name=<hash> pairs); legacy {name, sha256} lines still work, with a warning; actions are recorded as dashboard:<name>"
    )
    .option(
      "--read-token-file <file>",
      "file holding the read token (else $NEOXCTL_DASHBOARD_READ_TOKEN); with one, pages, API, SSE and /metrics need it"
    )
    .option("--tls-cert <file>", "PEM certificate to serve HTTPS (with --tls-key)")
    .option("--tls-key <file>", "PEM private key to serve HTTPS (with --tls-cert)")
    .option("--sse-max <n>", "live (SSE) connections at most, over all clients", "200")
    .option("--sse-max-per-client <n>", "live (SSE) connections at most from one address", "8")
    .option(
      "--prefix <prefix>",
      "Redis key prefix of the supervisor",
      process.env.NEOXCTL_REDIS_PREFIX ?? "neoxctl:"
    )
    .option(
      "--docs-base-url <url>",
      "where runbook links point (default: the pages this dashboard serves at /runbook/; env NEOXCTL_DOCS_BASE_URL)",
      process.env.NEOXCTL_DOCS_BASE_URL
    )
    .action((opts: DashboardOptions) =>
      runAction(false, async () => {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw invalid("--port", "port must be an integer 0-65535");
        const token = await readToken(opts.tokenFile, process.env.NEOXCTL_DASHBOARD_TOKEN, "--token-file");
        const { tokens, warnings: tokenWarnings } = await readNamedTokens(opts.tokensFile);
        for (const w of tokenWarnings) printLine(`neoxctl dashboard: warning: ${w}`, process.stderr);
        const readTokenValue = await readToken(
          opts.readTokenFile,
          process.env.NEOXCTL_DASHBOARD_READ_TOKEN,
          "--read-token-file"
        );
        const https = await readTls(opts);
        const running = await serveDashboard({
          host: opts.host,
          port,
          redisUrl: process.env.NEOXCTL_REDIS_URL ?? "redis://127.0.0.1:6379",
          prefix: opts.prefix,
          allowRemote: opts.allowRemote === true,
          allowedHosts: opts.allowedHost,
          sseLimits: {
            maxClients: count(opts.sseMax, "--sse-max"),
            maxPerClient: count(opts.sseMaxPerClient, "--sse-max-per-client")
          },
          ...(https ? { https } : {}),
          ...(token ? { token } : {}),
          ...(tokens.length ? { tokens } : {}),
          ...(readTokenValue ? { readToken: readTokenValue } : {}),
          ...(opts.docsBaseUrl ? { docsBaseUrl: opts.docsBaseUrl } : {})
        });
        for (const w of running.warnings) printLine(`neoxctl dashboard: warning: ${w}`, process.stderr);
        printLine(
          `neoxctl dashboard on ${running.url} (${token || tokens.length ? `actions enabled for ${[...(token ? ["default"] : []), ...tokens.map((t) => t.name)].join(", ")}` : "read-only"}${readTokenValue ? ", read token required" : ""})`,
          process.stderr
        );
        const stop = (): void => void running.close().then(() => process.exit(0));
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        await new Promise<never>(() => undefined);
      })
    );
  registerTokenCommands(dashboard);
}
