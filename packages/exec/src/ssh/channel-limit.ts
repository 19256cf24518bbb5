/**
 * Caps concurrent channels on one connection: OpenSSH's MaxSessions (default 10) refuses the
 * channel past the limit, so callers wait here instead of failing.
 */
export class ChannelLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      // hand the slot straight to the next waiter so `active` never drops below the real count
      if (next) next();
      else this.active -= 1;
    }
  }
}
