import keys from "./neox-keys.json" with { type: "json" };

/**
 * Every top-level config key GPT-NeoX accepts, with its Python type as written in NeoX's
 * dataclasses. NeoX refuses a whole config that has one unknown key, so both the planner and the
 * emulator check against this list.
 */
export interface NeoxKeyInfo {
  type: string;
  default: string | null;
}

export const NEOX_KEYS: Readonly<Record<string, NeoxKeyInfo>> = keys.keys;
