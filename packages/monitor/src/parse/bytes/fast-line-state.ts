import { NumberScan } from "./byte-numbers.ts";
import { SlotStrings, viewOf } from "./byte-strings.ts";
import { ShapeRecorder } from "./line-shape.ts";
import type { LineShape } from "./line-shape.ts";

/**
 * What the byte-level fast paths keep between lines of one stream: the strings of the previous
 * lines' names (so a steady log decodes each once), scratch space, and a DataView of the buffer
 * being read. Results that do not fit a return value (the iteration pair, a key) pass through here
 * too, so the hot path allocates nothing but the event itself.
 */
export class FastLineState {
  readonly num = new NumberScan();
  /** slot 0: the FLOPS text; 1…: loss keys by position */
  readonly trainStrings = new SlotStrings();
  /** timer names by position */
  readonly timerStrings = new SlotStrings();
  /** the layout of the last training and timers lines accepted, tried first on the next one */
  trainShape: LineShape | null = null;
  timersShape: LineShape | null = null;
  readonly shapeRecorder = new ShapeRecorder();
  readonly timerNames: string[] = [];
  readonly timerValues: number[] = [];
  step = -1;
  total = -1;
  key = "";
  colon = -1;
  /** where the last value of the line read by field ended (its shape's tail starts there) */
  valueEnd = 0;
  private buf: Buffer | null = null;
  private dv: DataView = new DataView(new ArrayBuffer(0));

  /** a DataView of `buf`, made once per buffer */
  view(buf: Buffer): DataView {
    if (buf !== this.buf) {
      this.buf = buf;
      this.dv = viewOf(buf);
    }
    return this.dv;
  }

  /** Drops the view, so a caller's buffer is not kept alive between reads. */
  release(): void {
    this.buf = null;
    this.dv = new DataView(new ArrayBuffer(0));
  }
}
