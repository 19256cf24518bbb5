import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Server, utils } from "ssh2";
import type { ServerChannel } from "ssh2";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExecError } from "@neoxctl/core";
import { SshExecutor } from "./ssh-executor.ts";

/**
 * An in-process SSH server whose exec requests run in a real local `sh -c`, so the framing is
 * exercised by a real shell; the test sees every exec request and every process it started.
 */
interface Fixture {
  dir: string;
  port: number;
  execs: string[];
  children: ChildProcess[];
  /** when set, exec requests for which it returns true answer `exit 127` without running */
  refuse?: (command: string) => boolean;
  close: () => Promise<void>;
}

function runChild(fx: Fixture, command: string, channel: ServerChannel): void {
  if (fx.refuse?.(command)) {
    channel.stderr.write("sh: unsupported\n");
    channel.exit(127);
    channel.end();
    return;
  }
  // its own process group, so that a test can kill the shell together with what it runs
  const child = spawn("sh", ["-c", command], { stdio: "pipe", detached: true });
  fx.children.push(child);
  channel.pipe(child.stdin);
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr, { end: false });
  child.on("close", (code, signal) => {
    if (signal) channel.exit(signal.replace(/^SIG/, ""), false, "");
    else channel.exit(code ?? 0);
    channel.end();
  });
  // a client closing the channel does not stop the process (sshd does not either): nothing to do
  channel.on("error", () => undefined);
}

async function startServer(): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), "neoxctl-ssh-shell-"));
  const host = utils.generateKeyPairSync("ed25519");
  const user = utils.generateKeyPairSync("ed25519");
  await writeFile(join(dir, "id_ed25519"), user.private, { mode: 0o600 });
  const fx: Fixture = { dir, port: 0, execs: [], children: [], close: async () => undefined };
  const clients = new Set<{ end: () => void }>();
  const ssh = new Server({ hostKeys: [host.private] }, (client) => {
    clients.add(client);
    client.on("authentication", (ctx) => (ctx.method === "publickey" ? ctx.accept() : ctx.reject()));
    client.on("session", (acceptSession) => {
      acceptSession().on("exec", (accept, _reject, info) => {
        fx.execs.push(info.command);
        runChild(fx, info.command, accept());
      });
    });
    client.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => ssh.listen(0, "127.0.0.1", resolve));
  fx.port = (ssh.address() as { port: number }).port;
  await writeFile(join(dir, "known_hosts"), `[127.0.0.1]:${fx.port} ${host.public}\n`);
  fx.close = async () => {
    for (const c of fx.children)
      if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, "SIGKILL");
    for (const c of clients) c.end();
    await new Promise<void>((resolve) => ssh.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  };
  return fx;
}

function executorFor(fx: Fixture): SshExecutor {
  return new SshExecutor({
    hops: [],
    final: {
      alias: "shell",
      host: "127.0.0.1",
      port: fx.port,
      user: "u",
      identityFile: join(fx.dir, "id_ed25519")
    },
    knownHostsFile: join(fx.dir, "known_hosts"),
    keepaliveIntervalMs: 0
  });
}

const isServer = (command: string): boolean => command.includes("__neoxctl_l");
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let fx: Fixture;
let ex: SshExecutor;

beforeAll(async () => {
  fx = await startServer();
});

afterEach(async () => {
  await ex.close();
  delete fx.refuse;
  fx.execs.length = 0;
});

afterAll(async () => {
  await fx.close();
});

describe("commands through one long-lived shell", () => {
  it("start one shell for many commands and keep stdout, stderr and the status exact", async () => {
    ex = executorFor(fx);
    const tricky = [
      "no final newline",
      "two\nlines\n",
      "",
      "\n\n",
      // a line that looks like a frame, with a marker of the same shape
      "\nNEOXCTL_00000000000000000000000000000000 0\n",
      "ünïcödé ✓\n"
    ];
    for (const [i, text] of tricky.entries()) {
      const r = await ex.run([
        "sh",
        "-c",
        `printf '%s' "$1"; printf '%s' "$2" >&2; exit "$3"`,
        "sh",
        text,
        `e${i}`,
        String(i)
      ]);
      expect(r.stdout).toBe(text);
      expect(r.stderr).toBe(`e${i}`);
      expect(r.exitCode).toBe(i);
    }
    const big = await ex.run(["sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x; echo e >&2"]);
    expect(big.stdout).toBe("x".repeat(1_000_000));
    expect(big.stderr).toBe("e\n");
    expect(fx.execs.filter(isServer)).toHaveLength(1);
    expect(fx.execs.filter((c) => !isServer(c))).toEqual([]);
    expect(ex.connectionCount).toBe(1);
  });

  it("reports a command killed by a signal as that signal, as an exec channel does", async () => {
    ex = executorFor(fx);
    await expect(ex.run(["sh", "-c", "kill -TERM $$"])).resolves.toMatchObject({
      exitCode: null,
      signal: "SIGTERM"
    });
    await expect(ex.run(["sh", "-c", "exit 7"])).resolves.toMatchObject({ exitCode: 7, signal: null });
  });

  it("gives commands /dev/null as stdin, not the shell's command stream", async () => {
    ex = executorFor(fx);
    const cat = await ex.run(["cat"]);
    expect(cat).toMatchObject({ stdout: "", exitCode: 0 });
    await expect(ex.run(["echo", "after"])).resolves.toMatchObject({ stdout: "after\n" });
  });

  it("keeps the server apart from what a command does to its own shell", async () => {
    ex = executorFor(fx);
    await expect(ex.run(["exit", "3"])).resolves.toMatchObject({ exitCode: 3 });
    await expect(ex.run(["pwd"], { cwd: "/tmp" })).resolves.toMatchObject({ stdout: "/tmp\n" });
    await expect(ex.run(["cd", "/"])).resolves.toMatchObject({ exitCode: 0 });
    const pwd = await ex.run(["pwd"]);
    expect(pwd.stdout).not.toBe("/\n");
    expect(fx.execs.filter(isServer)).toHaveLength(1);
  });

  it("runs a command with stdin on an exec channel of its own", async () => {
    ex = executorFor(fx);
    await expect(ex.run(["cat"], { stdin: "in\n" })).resolves.toMatchObject({ stdout: "in\n" });
    expect(fx.execs.filter((c) => !isServer(c))).toEqual(["'cat'"]);
  });

  it("serialises concurrent commands over at most two shells", async () => {
    ex = executorFor(fx);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => ex.run(["echo", String(i)])));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 12 }, (_, i) => `${i}\n`));
    expect(fx.execs.filter(isServer).length).toBeLessThanOrEqual(2);
    expect(fx.execs.filter((c) => !isServer(c))).toEqual([]);
  });
});

describe("when the shell fails", () => {
  it("reports a command whose shell died mid-run as maybe completed and does not re-run it", async () => {
    ex = executorFor(fx);
    await ex.run(["true"]);
    const server = fx.children.at(-1)!;
    const started = join(fx.dir, "started");
    const running = ex.run(["sh", "-c", 'echo started; : >"$1"; sleep 20', "sh", started]);
    while (!existsSync(started)) await sleep(10);
    process.kill(-server.pid!, "SIGKILL");
    const err = await running.then(
      () => undefined,
      (e: unknown) => e
    );
    expect(err).toBeInstanceOf(ExecError);
    expect((err as ExecError).code).toBe("SSH_CONNECT");
    expect((err as ExecError).message).toContain("may or may not have completed");
    // the next command gets a new shell; the cut one was not sent anywhere again
    await expect(ex.run(["echo", "next"])).resolves.toMatchObject({ stdout: "next\n" });
    expect(fx.execs.filter(isServer)).toHaveLength(2);
    expect(fx.execs.filter((c) => !isServer(c))).toEqual([]);
  });

  it("falls back to an exec channel per command when the account's shell cannot run the server", async () => {
    fx.refuse = isServer;
    ex = executorFor(fx);
    await expect(ex.run(["echo", "a"])).resolves.toMatchObject({ stdout: "a\n", exitCode: 0 });
    await expect(ex.run(["sh", "-c", "exit 4"])).resolves.toMatchObject({ exitCode: 4 });
    expect(fx.execs.filter(isServer)).toHaveLength(1);
    expect(fx.execs.filter((c) => !isServer(c))).toEqual(["'echo' 'a'", "'sh' '-c' 'exit 4'"]);
  });

  it("times a command out, gives that shell up and serves the next command", async () => {
    ex = executorFor(fx);
    const err = await ex.run(["sleep", "30"], { timeoutMs: 300 }).then(
      () => undefined,
      (e: unknown) => e
    );
    expect((err as ExecError).code).toBe("EXEC_TIMEOUT");
    await expect(ex.run(["echo", "ok"])).resolves.toMatchObject({ stdout: "ok\n" });
    expect(fx.execs.filter(isServer)).toHaveLength(2);
  });
});
