import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "@neoxctl/core";
import { eventRoute } from "./event-routes.ts";

describe("eventRoute", () => {
  it("queues a follow-up exactly for the events that leave a new attempt to submit", () => {
    expect(EVENT_TYPES.filter((t) => eventRoute(t).followUp)).toEqual([
      "recover_node",
      "recover_timeout",
      "recover_app",
      "recover_hang",
      "rollback",
      "planned_continuation",
      "resumed_by_user",
      "acknowledged",
      "rollback_by_user",
      "excluded_by_user"
    ]);
  });

  it("notifies for the events a human must hear about", () => {
    expect(EVENT_TYPES.filter((t) => eventRoute(t).notify)).toEqual([
      "submit_rejected",
      "slowdown",
      "node_suspect",
      "rccl_socket_fallback",
      "recover_node",
      "rollback",
      "needs_attention",
      "run_completed",
      "cancelled_by_user",
      "step_failed"
    ]);
  });
});
