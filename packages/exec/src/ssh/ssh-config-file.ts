import { readdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";

/** OpenSSH's own limit on nested Include (READCONF_MAX_DEPTH). */
const MAX_DEPTH = 16;

const INCLUDE = /^\s*include(?:\s*=\s*|\s+)(.+?)\s*$/i;

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Include's words: whitespace-separated, double quotes keeping spaces. */
function words(value: string): string[] {
  return [...value.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? "");
}

/** glob(3) for one path component: `*`, `?` and bracket classes (`[0-9]`, `[!.]`). */
function globToRegExp(pattern: string): RegExp {
  let body = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? "";
    const close = c === "[" ? pattern.indexOf("]", i + 2) : -1;
    if (c === "*") body += ".*";
    else if (c === "?") body += ".";
    else if (close > 0) {
      body += `[${pattern
        .slice(i + 1, close)
        .replace(/^!/, "^")
        .replaceAll("\\", "\\\\")}]`;
      i = close;
    } else body += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${body}$`);
}

/**
 * The files one Include word names, sorted as OpenSSH's glob(3) returns them. A relative path is
 * taken from ~/.ssh (a user config's rule); wildcards (`*`, `?`, `[…]`) are honoured in the last
 * path component only.
 */
async function includedFiles(word: string): Promise<string[]> {
  const home = homedir();
  const path = word === "~" ? home : word.startsWith("~/") ? join(home, word.slice(2)) : word;
  const full = isAbsolute(path) ? path : join(home, ".ssh", path);
  const name = basename(full);
  if (!/[*?[]/.test(name)) return [full];
  let entries: string[];
  try {
    entries = await readdir(dirname(full));
  } catch {
    return [];
  }
  const re = globToRegExp(name);
  return entries
    .filter((e) => re.test(e) && !e.startsWith("."))
    .sort()
    .map((e) => join(dirname(full), e));
}

/**
 * An ssh client config with every `Include` replaced by the files it names (missing ones skipped,
 * as OpenSSH does), so that the `ssh-config` package, which parses but does not follow Include,
 * sees one text. An Include inside a Host or Match block is spliced in place: its lines belong to
 * that block until the included file opens a block of its own.
 */
export async function readSshConfig(path: string, depth = 0): Promise<string> {
  const text = await readOptional(path);
  if (text === undefined || depth > MAX_DEPTH) return "";
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = INCLUDE.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    for (const word of words(m[1] ?? ""))
      for (const file of await includedFiles(word)) out.push(await readSshConfig(file, depth + 1));
  }
  return out.join("\n");
}
