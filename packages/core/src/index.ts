export * from "./errors/index.ts";
export { ResilienceSchema, BudgetsSchema, SpikePolicySchema, HangPolicySchema } from "./spec/resilience.ts";
export type { Resilience } from "./spec/resilience.ts";
export { EVENT_TYPES, EventTypeSchema } from "./events/event-type.ts";
export type { EventType } from "./events/event-type.ts";
export { NEOX_KEYS } from "./neox/keys.ts";
export type { NeoxKeyInfo } from "./neox/keys.ts";
export * from "./spec/index.ts";
export * from "./redact/index.ts";
