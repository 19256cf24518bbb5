/** Field names shared by the text parser and the byte fast path, so both read a line alike. */

/**
 * Whether a training-line field is a loss. Only a field named as one counts: `loss`, or a name
 * ending in ` loss`/`_loss` (NeoX `lm_loss` and one per train_impl loss, Megatron `lm loss`,
 * `moe loss`, `mtp_1 loss`, `load_balancing_loss`). Any other numeric field — `actual seqlen`,
 * a counter a fork added — is not a loss, however loss-like its value: taking one as the loss fakes
 * spikes and hides a missing loss.
 */
export function isLossKey(key: string): boolean {
  return key !== "__proto__" && /^(?:loss|.*[ _]loss)$/.test(key);
}
