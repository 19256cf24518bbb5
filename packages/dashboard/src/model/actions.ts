/** The manual controls the dashboard offers, carried out by the supervisor. */
export const ACTION_KINDS = ["cancel", "resume", "rollback", "ack", "exclude"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** `actor` is who asked: `dashboard:<token name>`. */
export type ActionRequest = { actor: string } & (
  | { kind: "cancel"; runId: string }
  | { kind: "resume"; runId: string }
  | { kind: "ack"; runId: string }
  | { kind: "rollback"; runId: string; toStep: number; lrFactor?: number }
  | { kind: "exclude"; runId: string; node: string }
);

export interface ActionResult {
  ok: boolean;
  message: string;
}

export interface RunActions {
  perform(request: ActionRequest): Promise<ActionResult>;
}

export function isActionKind(value: string): value is ActionKind {
  return (ACTION_KINDS as readonly string[]).includes(value);
}
