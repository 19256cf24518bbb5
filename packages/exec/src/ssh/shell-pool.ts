import type { Client } from "ssh2";
import { RemoteShell, ShellUnsupported } from "./remote-shell.ts";

/**
 * Shells that die on their own this often on one connection (a server that kills idle sessions, a
 * shell that cannot stay up) make the connection fall back to an exec channel per command.
 */
const MAX_UNEXPECTED_DEATHS = 3;

/**
 * The long-lived shells of one connection. A command takes an idle shell, starts a new one while
 * fewer than `max` exist, or waits for one to come free. `acquire` returning null means "use an exec
 * channel": the shell could not start, or shells keep dying on this connection.
 */
export class ShellPool {
  private readonly idle: RemoteShell[] = [];
  private readonly waiters: (() => void)[] = [];
  private count = 0;
  private deaths = 0;
  private disabled = false;
  private closed = false;
  private readonly all = new Set<RemoteShell>();

  constructor(
    private readonly client: Client,
    private readonly target: string,
    private readonly max: number
  ) {}

  /** Why commands go to exec channels, or undefined while the shells serve them. */
  get fallbackReason(): string | undefined {
    if (this.closed) return "connection closed";
    return this.disabled ? "remote shells unavailable on this connection" : undefined;
  }

  async acquire(): Promise<RemoteShell | null> {
    for (;;) {
      if (this.disabled || this.closed) return null;
      const idle = this.idle.pop();
      if (idle) return idle;
      if (this.count < this.max) return this.startOne();
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private async startOne(): Promise<RemoteShell | null> {
    this.count += 1;
    try {
      const shell = await RemoteShell.start(this.client, this.target, (s, busy) => this.ended(s, busy));
      this.all.add(shell);
      if (this.closed) {
        shell.close();
        return null;
      }
      return shell;
    } catch (err) {
      this.count -= 1;
      // a shell that cannot run the server will not run it next time either; a channel that did not
      // open is the connection's business, and the exec path that follows reports or retries it
      if (err instanceof ShellUnsupported) this.disabled = true;
      this.wakeOne();
      return null;
    }
  }

  /** Hands a shell back after its command settled. */
  release(shell: RemoteShell): void {
    if (!shell.alive || this.closed) return;
    this.idle.push(shell);
    this.wakeOne();
  }

  private ended(shell: RemoteShell, unexpected: boolean): void {
    if (!this.all.delete(shell)) return;
    this.count -= 1;
    const at = this.idle.indexOf(shell);
    if (at >= 0) this.idle.splice(at, 1);
    if (unexpected || at >= 0) this.deaths += 1;
    if (this.deaths >= MAX_UNEXPECTED_DEATHS) this.disabled = true;
    this.wakeOne();
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }

  close(): void {
    this.closed = true;
    for (const s of this.all) s.close();
    for (const w of this.waiters.splice(0)) w();
  }
}
