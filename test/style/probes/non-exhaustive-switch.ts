// Lint probe (test/style): a switch over the closed EventType union that a `default:` makes look complete.
import type { EventType } from "@neoxctl/core";

export function pages(type: EventType): boolean {
  switch (type) {
    case "needs_attention":
      return true;
    default:
      return false;
  }
}
