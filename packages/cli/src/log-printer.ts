import { printText } from "./output.ts";

/**
 * Prints a training log as it arrives in byte chunks: only whole lines go through the redaction
 * and escape, so neither a secret nor an escape sequence can slip through split across two reads,
 * and a UTF-8 character split across reads is decoded whole.
 */
export class LogPrinter {
  private readonly decoder = new TextDecoder("utf-8");
  private pending = "";

  push(chunk: Uint8Array): void {
    this.pending += this.decoder.decode(chunk, { stream: true });
    const end = this.pending.lastIndexOf("\n");
    if (end < 0) return;
    printText(this.pending.slice(0, end + 1));
    this.pending = this.pending.slice(end + 1);
  }

  /** the rest of the last line (the log's end, or a switch to the next attempt) */
  flush(): void {
    this.pending += this.decoder.decode();
    if (this.pending !== "") printText(this.pending);
    this.pending = "";
  }
}
