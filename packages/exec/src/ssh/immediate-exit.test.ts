import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo, Server as NetServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Server, utils } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SshExecutor } from "./ssh-executor.ts";

/**
 * An in-process SSH server whose exec handler answers at once: the exec request's success reply,
 * the exit status, EOF and close leave in one TCP write (the socket is corked around them), so the
 * client parses all of them from one read, before any code awaiting the exec callback can run.
 * A real sshd almost never does this (the command takes longer than a round trip), but a fast
 * server, a forced command or a busy client can, and the exit status must not be lost then.
 */
interface Fixture {
  dir: string;
  port: number;
  close: () => Promise<void>;
}

/** `exit <n>` answers with status n, `signal` with exit-signal TERM; stdout repeats the command. */
function reply(command: string, channel: { write: (s: string) => void } & ExitChannel): void {
  channel.write(`ran ${command}\n`);
  const m = /^exit (\d+)$/.exec(command);
  if (command === "signal") channel.exit("TERM", false, "");
  else channel.exit(m ? Number(m[1]) : 0);
  channel.end();
}
interface ExitChannel {
  exit(status: number): void;
  exit(signal: string, coreDumped: boolean, msg: string): void;
  end(): void;
}

async function startServer(): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), "neoxctl-ssh-immediate-"));
  const host = utils.generateKeyPairSync("ed25519");
  const user = utils.generateKeyPairSync("ed25519");
  await writeFile(join(dir, "id_ed25519"), user.private, { mode: 0o600 });

  const ssh = new Server({ hostKeys: [host.private] }, (client) => {
    client.on("authentication", (ctx) => (ctx.method === "publickey" ? ctx.accept() : ctx.reject()));
    client.on("session", (acceptSession) => {
      acceptSession().on("exec", (accept, _reject, info) => {
        const sock = sockets.get(client);
        sock?.cork();
        // the executor single-quotes every word: `'exit' '7'`
        reply(info.command.replaceAll("'", ""), accept());
        process.nextTick(() => sock?.uncork());
      });
    });
    client.on("error", () => undefined);
  });
  // sockets are handed to ssh2 by hand so that the test holds each one (to cork it)
  const sockets = new Map<object, Socket>();
  const pending: Socket[] = [];
  ssh.on("connection", (client) => {
    const sock = pending.shift();
    if (sock) sockets.set(client, sock);
  });
  const tcp: NetServer = createServer((sock) => {
    pending.push(sock);
    ssh.injectSocket(sock);
  });
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  const port = (tcp.address() as AddressInfo).port;
  await writeFile(join(dir, "known_hosts"), `[127.0.0.1]:${port} ${host.public}\n`);
  return {
    dir,
    port,
    close: async () => {
      for (const s of sockets.values()) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    }
  };
}

let fx: Fixture;
let ex: SshExecutor;

beforeAll(async () => {
  fx = await startServer();
  ex = new SshExecutor({
    hops: [],
    final: {
      alias: "immediate",
      host: "127.0.0.1",
      port: fx.port,
      user: "u",
      identityFile: join(fx.dir, "id_ed25519")
    },
    knownHostsFile: join(fx.dir, "known_hosts"),
    keepaliveIntervalMs: 0
  });
});

afterAll(async () => {
  await ex.close();
  await fx.close();
});

describe("a server that replies with the exit status at once", () => {
  it("keeps exit status 0 and the output", async () => {
    const r = await ex.run(["exit", "0"]);
    expect(r.exitCode).toBe(0);
    expect(r.signal).toBeNull();
    expect(r.stdout).toContain("ran ");
  });

  it("keeps a non-zero exit status", async () => {
    const r = await ex.run(["exit", "7"]);
    expect(r.exitCode).toBe(7);
  });

  it("keeps an exit signal", async () => {
    const r = await ex.run(["signal"]);
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe("SIGTERM");
  });

  it("keeps every status over many commands, also concurrent ones", async () => {
    const codes = Array.from({ length: 40 }, (_, i) => i % 5);
    const results = await Promise.all(codes.map((c) => ex.run(["exit", String(c)])));
    expect(results.map((r) => r.exitCode)).toEqual(codes);
  });
});
