import type { Alarm, DetectorEvent, LossDetector, LossPoint } from "./types.ts";
import { NO_EVENTS } from "./types.ts";

/**
 * The published in-trainer rules, re-implemented from their description so they can be scored on
 * the same curves as ours: allenai/OLMo-core src/olmo_core/train/callbacks/stability_monitor.py and
 * src/olmo_core/optim/skip_step_optimizer.py; NVIDIA/Megatron-LM pretrain_gpt.py
 * (`SPIKY_LOSS_FACTOR`) with megatron/core/rerun_state_machine.py; facebookresearch/metaseq
 * metaseq/trainer.py (`ewm_ratio_to_skip_batch`); mosaicml/llm-foundry
 * llmfoundry/callbacks/kill_loss_spike_callback.py. They live inside the training process, so a
 * restart clears their state: on a step rewind we reset them the same way.
 */

/** an alarm before the wrapper adds the segment index */
type RuleAlarm = Omit<Alarm, "segment">;

function alarm(kind: Alarm["kind"], step: number, loss: number, baseline: number): RuleAlarm {
  return {
    type: "alarm",
    kind,
    step,
    onsetStep: step,
    loss,
    baseline,
    severity: Number.isFinite(loss) ? loss / baseline : Number.POSITIVE_INFINITY
  };
}

/** fixed-size window with O(1) mean and variance */
class RollingWindow {
  private readonly buf: Float64Array;
  private next = 0;
  count = 0;
  private sum = 0;
  private sumSq = 0;
  constructor(readonly size: number) {
    this.buf = new Float64Array(size);
  }
  add(v: number): void {
    if (this.count === this.size) {
      const old = this.buf[this.next] ?? 0;
      this.sum -= old;
      this.sumSq -= old * old;
    } else {
      this.count++;
    }
    this.buf[this.next] = v;
    this.next = (this.next + 1) % this.size;
    this.sum += v;
    this.sumSq += v * v;
  }
  mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }
  std(): number {
    if (this.count < 2) return 0;
    const m = this.mean();
    return Math.sqrt(Math.max(0, this.sumSq / this.count - m * m));
  }
}

abstract class RestartingDetector implements LossDetector {
  abstract readonly name: string;
  private lastStep = Number.NEGATIVE_INFINITY;
  private segment = 0;
  protected abstract reset(): void;
  protected abstract observe(step: number, loss: number): RuleAlarm | null;

  push({ step, loss }: LossPoint): readonly DetectorEvent[] {
    const out: DetectorEvent[] = [];
    if (step <= this.lastStep) {
      out.push({ type: "rewind", fromStep: this.lastStep, toStep: step });
      this.reset();
      this.segment++;
    }
    this.lastStep = step;
    const a = Number.isFinite(loss) ? this.observe(step, loss) : alarm("nan", step, loss, Number.NaN);
    if (a) out.push({ ...a, segment: this.segment });
    return out.length === 0 ? NO_EVENTS : out;
  }
}

/** OLMo-core: loss > mean + 6σ of the last 128 values, once at least 64 are known. */
export class OlmoSigmaDetector extends RestartingDetector {
  readonly name = "olmo-core-6sigma-128";
  private w = new RollingWindow(128);
  protected reset(): void {
    this.w = new RollingWindow(128);
  }
  protected observe(step: number, loss: number): RuleAlarm | null {
    let hit: RuleAlarm | null = null;
    if (this.w.count >= 64) {
      const mean = this.w.mean();
      if (loss - mean > 6 * this.w.std()) hit = alarm("spike", step, loss, mean);
    }
    this.w.add(loss);
    return hit;
  }
}

/** Megatron-LM: loss ≥ 10 × the largest of the first 100 values. */
export class MegatronTenXDetector extends RestartingDetector {
  readonly name = "megatron-10x-first100";
  private seen = 0;
  private maxFirst = Number.NEGATIVE_INFINITY;
  protected reset(): void {
    this.seen = 0;
    this.maxFirst = Number.NEGATIVE_INFINITY;
  }
  protected observe(step: number, loss: number): RuleAlarm | null {
    if (this.seen < 100) {
      this.seen++;
      this.maxFirst = Math.max(this.maxFirst, Math.abs(loss));
      return null;
    }
    return Math.abs(loss) >= 10 * this.maxFirst ? alarm("spike", step, loss, this.maxFirst) : null;
  }
}

/**
 * metaseq: loss / EWM(loss, span 9) above a ratio; the EWM skips flagged points. Upstream the ratio
 * is off by default (-1); the comparison uses 1.2, a value that would act on a +20 % point.
 */
export class MetaseqEwmDetector extends RestartingDetector {
  readonly name: string;
  private ewm: number | null = null;
  private readonly alpha = 2 / (9 + 1);
  constructor(private readonly ratio = 1.2) {
    super();
    this.name = `metaseq-ewm9-ratio${ratio}`;
  }
  protected reset(): void {
    this.ewm = null;
  }
  protected observe(step: number, loss: number): RuleAlarm | null {
    if (this.ewm === null) {
      this.ewm = loss;
      return null;
    }
    if (loss / this.ewm > this.ratio) return alarm("spike", step, loss, this.ewm);
    this.ewm += this.alpha * (loss - this.ewm);
    return null;
  }
}

/** llm-foundry KillLossSpike: loss ≥ 2 × mean of the last 100 for more than 4 consecutive steps. */
export class FoundryPatienceDetector extends RestartingDetector {
  readonly name = "llm-foundry-2x-mean100-patience4";
  private w = new RollingWindow(100);
  private streak = 0;
  protected reset(): void {
    this.w = new RollingWindow(100);
    this.streak = 0;
  }
  protected observe(step: number, loss: number): RuleAlarm | null {
    let hit: RuleAlarm | null = null;
    if (this.w.count === this.w.size) {
      const mean = this.w.mean();
      this.streak = loss >= 2 * mean ? this.streak + 1 : 0;
      if (this.streak === 5) hit = alarm("spike", step, loss, mean);
    }
    this.w.add(loss);
    return hit;
  }
}
