import {
  FoundryPatienceDetector,
  MegatronTenXDetector,
  MetaseqEwmDetector,
  OlmoSigmaDetector
} from "./published-detectors.ts";
import type { RobustDetectorOptions } from "./robust-options.ts";
import { RobustSpikeDetector } from "./robust-detector.ts";
import type { LossDetector } from "./types.ts";

export type DetectorName = "robust" | "olmo" | "megatron" | "metaseq" | "foundry";
export const DETECTOR_NAMES: readonly DetectorName[] = ["robust", "olmo", "megatron", "metaseq", "foundry"];

export function createDetector(
  name: DetectorName,
  robust: Partial<RobustDetectorOptions> = {}
): LossDetector {
  switch (name) {
    case "robust":
      return new RobustSpikeDetector(robust);
    case "olmo":
      return new OlmoSigmaDetector();
    case "megatron":
      return new MegatronTenXDetector();
    case "metaseq":
      return new MetaseqEwmDetector();
    case "foundry":
      return new FoundryPatienceDetector();
  }
}
