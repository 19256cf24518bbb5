/** The hand-written part of docs/spike-detector.md: the rules, ours and the published ones. */
import { ROBUST_DEFAULTS } from "../src/spike/robust-options.ts";

const o = ROBUST_DEFAULTS;

export const rulesSection = `## The rule (\`RobustSpikeDetector\`, packages/monitor/src/spike/robust-detector.ts)

Streaming, constant work per point, in log space (a spike is a ratio whatever the loss level):

- **Baseline**: an EWMA (span ${o.baselineSpan}) of ln(loss) whose per-point move is clipped to 3
  scales, so one outlier cannot drag it. The first points form a plain mean.
- **Scale**: an EWMA (span ${o.scaleSpan}) of the clipped absolute deviation, floored at
  ${o.scaleFloor} — a robust mean absolute deviation.
- **High point**: ln(loss) − baseline > max(${o.minJump}, ${o.k} × scale). The ${o.minJump} floor
  (+22 %) is what keeps the rule quiet on real noise: the largest point-to-median jump on the two
  clean curves is 0.125 (Pythia-410M, around the end of LR warm-up) and 0.095 (llm.c GPT-2 124M),
  while the labelled BigScience spikes are 0.49–0.97.
- **How much one point says — the logging interval**: NeoX and Megatron log the *mean* loss over
  \`log_interval\` steps. The detector learns the interval from the step gaps (a majority vote over
  gaps, O(1); three agreeing gaps make it trusted) or is told it (\`logInterval\`, the plan's
  \`training.log_interval\`). A point that stands for ≥ ${o.singlePointSteps} steps is many bad steps:
  one high point alarms at once (to lift a ${o.singlePointSteps}-step mean by 22 %, one step alone
  would have to be 3.2× the loss). Below that — a per-step log, or an irregularly thinned export
  whose gaps agree on no interval, where a point is one step's loss — the next point decides:
  high again, or still above half the threshold → **spike** (onset at the first point); back →
  a **notice** (\`outlier\`), which is never actionable.
- **Slow onset (\`climb\`)**: a baseline that follows a slow climb never sees a jump. When the baseline
  has risen more than ${o.climbJump} (+${Math.round((Math.exp(o.climbJump) - 1) * 100)} %) above its minimum,
  a \`climb\` alarm is raised with the last step at which the baseline was still near its minimum
  as onset (so a rollback goes back before the climb, not into it). On the clean curves the largest
  rise is 0.069 (Pythia-410M just after LR warm-up) and 0.015 (llm.c). A spike that did not
  recover is not a climb (it was reported already).
- **NaN / ±Inf**: an immediate \`nan\` alarm, once per run of non-finite values.
- **Recovery**: while a spike is open the baseline is frozen at its pre-spike level. Back within
  ${o.recoverJump} of it (≈ 6 %) inside \`recoverWindowSteps\` (default ${o.recoverWindowSteps}, the
  resilience policy's \`recover_window_steps\`) → \`recovered\` with onset, peak and steps to
  recover; otherwise \`not_recovered\`, and the baseline moves to the new level.
- **Divergence**: the baseline more than ${o.divergeJump} (+35 %) above its minimum since the last
  reset → one \`divergence\` alarm (re-armed once it falls back below half of that).
- **Rewinds and repeated collapses**: a step ≤ the previous step (restart from a checkpoint)
  restores the newest state snapshot taken before that step (one every 64 points, 32 kept), so
  the same steps logged again are judged against the baseline from before them, and a collapse
  that repeats alarms again. Every alarm and notice carries \`segment\`: the number of rewinds
  seen, i.e. which pass over these steps it is. A rewind is never an alarm by itself.
- **End of input**: \`end()\` settles a high point the input ended on as a spike.
- **Warm-up**: \`warmupPoints\` (default ${o.warmupPoints}) and \`warmupSteps\` (default
  ${o.warmupSteps}; the supervisor may pass the LR warm-up length).

Consumers: \`neoxctl spikes --json\` prints one line per alarm or notice with \`"actionable": true|false\`
and \`segment\`. The supervisor turns a notice into a \`spike_watch\` note and never rolls back on
it; a \`climb\` rolls back at once (no recovery window: it is already sustained).

## Published rules, as implemented for comparison (published-detectors.ts)

- **OLMo-core** StabilityMonitor/SkipStep: loss > mean + 6σ of the last 128 values (≥ 64 known).
- **Megatron-LM** spiky loss: loss ≥ 10 × the largest of the first 100 values.
- **metaseq**: loss / EWM(span 9) > ratio, EWM not updated on flagged points. Upstream the ratio is
  off by default; we use 1.2.
- **llm-foundry** KillLossSpike: loss ≥ 2 × mean of the last 100 for more than 4 consecutive points.

They run inside the trainer, so a restart clears their state: on a step rewind they are reset.
Every alarm of theirs counts as actionable (they have no notice). \`neoxctl-robust-previous\` is
our rule before this change (scripts/previous-robust-detector.ts, frozen for this comparison).`;
