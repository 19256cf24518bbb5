/**
 * Compiles the CLI into packages/cli/dist/ (`npm run build`; run by pretest, CI and the demo).
 *
 * dist/main.js holds commander and the command table; each command module the table imports
 * dynamically becomes its own bundle in dist/lib/commands/, loaded only when that command runs,
 * so `--version` and one command's `--help` load almost nothing. The command bundles are built
 * without code splitting on purpose: esbuild cuts shared chunks per file, and `status` then loaded
 * the chunk holding the whole supervisor (BullMQ, execa, ssh2); bundled alone, tree shaking leaves
 * it the store modules and ioredis. The @neoxctl/* packages are bundled (they are private and ship
 * TypeScript); every other package stays an import that must be listed in the CLI's own
 * `dependencies`, so `npm pack` + `npm install -g` works.
 */
import { cp, readFile, rm } from "node:fs/promises";
import { builtinModules } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import type { BuildOptions, Metafile, Plugin } from "esbuild";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI_DIR = join(REPO_ROOT, "packages", "cli");
const DIST = join(CLI_DIR, "dist");
// two levels below dist/ so that a bundled module's "../../client" (the dashboard finds its page
// scripts that way) lands in dist/client, where the copy below puts them
const COMMANDS_OUT = join(DIST, "lib", "commands");

/**
 * Packages bundled into the command bundles like the workspace's own: zod is pure JavaScript whose
 * objects never cross into another package, and loading its ~100 modules took ~250 ms of every
 * `status` (each read of a record goes through a schema); bundled and tree-shaken it costs a few ms.
 */
const INLINE = new Set(["zod"]);

/** Bare specifiers outside the workspace stay imports; `undeclaredImports` vets them. */
const externalPackages: Plugin = {
  name: "external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@neoxctl/") || INLINE.has(packageName(args.path))
        ? undefined
        : { path: args.path, external: true }
    );
  }
};

/** Turns main's `import("./x.ts")` into an import of x's own bundle and records x as an entry. */
function commandBundles(entries: Set<string>): Plugin {
  return {
    name: "command-bundles",
    setup(b) {
      b.onResolve({ filter: /^\.\/[\w-]+\.ts$/ }, (args) => {
        if (args.kind !== "dynamic-import") return undefined;
        entries.add(join(args.resolveDir, args.path));
        return { path: `./lib/commands/${args.path.slice(2, -3)}.js`, external: true };
      });
    }
  };
}

/** "@scope/name/sub" → "@scope/name"; "name/sub" → "name". */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** Every package the bundles import must be a declared dependency, or the installed CLI breaks. */
function undeclaredImports(metas: readonly Metafile[], declared: ReadonlySet<string>): string[] {
  const builtins = new Set(builtinModules);
  const missing = new Set<string>();
  for (const meta of metas)
    for (const out of Object.values(meta.outputs))
      for (const imp of out.imports) {
        if (!imp.external || imp.path.startsWith(".")) continue;
        const name = packageName(imp.path.replace(/^node:/, ""));
        if (!builtins.has(name) && !declared.has(name)) missing.add(imp.path);
      }
  return [...missing].sort();
}

/** Builds dist/ from scratch and returns how many command bundles it holds. */
export async function buildCli(): Promise<number> {
  const pkg = JSON.parse(await readFile(join(CLI_DIR, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  const common: BuildOptions = {
    absWorkingDir: REPO_ROOT,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20.5",
    sourcemap: "linked",
    logLevel: "warning",
    metafile: true
  };
  await rm(DIST, { recursive: true, force: true });
  const commandEntries = new Set<string>();
  const entry = await build({
    ...common,
    entryPoints: [join(CLI_DIR, "src", "main.ts")],
    outdir: DIST,
    plugins: [externalPackages, commandBundles(commandEntries)]
  });
  if (commandEntries.size === 0) throw new Error("main.ts imports no command module dynamically");
  const commands = await build({
    ...common,
    entryPoints: [...commandEntries].sort(),
    outdir: COMMANDS_OUT,
    plugins: [externalPackages]
  });
  const metas = [entry.metafile!, commands.metafile!];
  const missing = undeclaredImports(metas, new Set(Object.keys(pkg.dependencies ?? {})));
  if (missing.length > 0)
    throw new Error(`packages/cli/package.json does not list these imports: ${missing.join(", ")}`);
  // files read at run time next to the code: the dashboard's page scripts and the cluster profiles
  await cp(join(REPO_ROOT, "packages", "dashboard", "client"), join(DIST, "client"), { recursive: true });
  await cp(join(REPO_ROOT, "clusters"), join(DIST, "clusters"), { recursive: true });
  // the runbook pages the dashboard serves at /runbook/ (server/runbook-pages.ts)
  await cp(join(REPO_ROOT, "docs", "runbook"), join(DIST, "docs", "runbook"), { recursive: true });
  // the batch script, launcher and spec templates the renderers and `neoxctl init` fill
  await cp(join(REPO_ROOT, "templates"), join(DIST, "templates"), { recursive: true });
  return commandEntries.size;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bundles = await buildCli();
  console.log(`built dist/main.js and ${bundles} command bundles in ${DIST}`);
}
