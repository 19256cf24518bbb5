import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A Redis of the suite's own on a loopback port (never the shared 6379), so it can be given a
 * password, persistence, or be restarted without touching what other tests use.
 */
export class PrivateRedis {
  private proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), "neoxctl-redis-"));

  constructor(
    readonly port: number,
    readonly password: string | null = null,
    readonly appendOnly = false
  ) {}

  get url(): string {
    return `redis://${this.password !== null ? `:${encodeURIComponent(this.password)}@` : ""}127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = [
      "--port",
      String(this.port),
      "--bind",
      "127.0.0.1",
      "--dir",
      this.dir,
      "--save",
      "",
      "--appendonly",
      this.appendOnly ? "yes" : "no",
      "--appendfsync",
      "always"
    ];
    if (this.password !== null) args.push("--requirepass", this.password);
    this.proc = spawn("redis-server", args, { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      if (this.ping()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis-server on ${this.port} did not answer`);
  }

  ping(): boolean {
    const auth = this.password !== null ? ["-a", this.password, "--no-auth-warning"] : [];
    return (
      spawnSync("redis-cli", ["-p", String(this.port), ...auth, "ping"], {
        encoding: "utf8"
      }).stdout.trim() === "PONG"
    );
  }

  /** SIGKILL, the way a crashed or OOM-killed Redis goes */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await exited;
    this.proc = null;
  }

  async stop(removeData = true): Promise<void> {
    await this.kill();
    if (removeData) rmSync(this.dir, { recursive: true, force: true });
  }
}
