import type { FastifyInstance } from "fastify";
import type { ActionRequest, RunActions } from "../model/actions.ts";
import { isActionKind } from "../model/actions.ts";
import type { RunReadModel } from "../model/read-model.ts";
import { authFailure } from "./auth.ts";
import type { TokenRing } from "./token-ring.ts";
import { isKnownRun } from "./run-id.ts";

export interface ActionDeps {
  model: RunReadModel;
  actions: RunActions | undefined;
  /** the named action tokens (the old single token among them as `default`) */
  tokens: TokenRing;
  onDone: (runId: string) => void;
}

type ActionRoute = {
  Params: { id: string; kind: string };
  Body: { toStep?: unknown; lrFactor?: unknown; node?: unknown } | null;
};

function toRequest(
  kind: string,
  runId: string,
  body: ActionRoute["Body"],
  actor: string
): ActionRequest | string {
  if (!isActionKind(kind)) return "unknown action";
  switch (kind) {
    case "cancel":
    case "resume":
    case "ack":
      return { kind, runId, actor };
    case "rollback": {
      const toStep = Number(body?.toStep);
      const lrFactor =
        body?.lrFactor === undefined || body.lrFactor === "" ? undefined : Number(body.lrFactor);
      if (!Number.isInteger(toStep) || toStep < 0) return "rollback needs toStep, a non-negative integer";
      if (lrFactor !== undefined && !(lrFactor > 0 && lrFactor <= 1)) return "lrFactor must be in (0, 1]";
      return lrFactor === undefined
        ? { kind, runId, toStep, actor }
        : { kind, runId, toStep, lrFactor, actor };
    }
    case "exclude": {
      const node = typeof body?.node === "string" ? body.node : "";
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(node))
        return "exclude needs node, a node name such as nid005613";
      return { kind, runId, node, actor };
    }
  }
}

export function registerActionRoutes(app: FastifyInstance, deps: ActionDeps): void {
  app.post<ActionRoute>("/api/runs/:id/actions/:kind", async (req, reply) => {
    const who = deps.actions
      ? await deps.tokens.identify(req.headers.authorization)
      : { outcome: "read_only" as const };
    if (who.outcome !== "ok") {
      const f = authFailure(who.outcome);
      if (f.status === 401) reply.header("www-authenticate", 'Bearer realm="neoxctl"');
      return reply.code(f.status).send({ error: f.message });
    }
    if (!(await isKnownRun(deps.model, req.params.id)))
      return reply.code(404).send({ error: "run not found" });
    const request = toRequest(req.params.kind, req.params.id, req.body, `dashboard:${who.name}`);
    if (typeof request === "string") return reply.code(400).send({ error: request });
    const result = await (deps.actions as RunActions).perform(request);
    if (result.ok) deps.onDone(request.runId);
    return reply.code(result.ok ? 200 : 409).send(result);
  });
}
