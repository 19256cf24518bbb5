import type { FastifyInstance } from "fastify";
import { SpecError } from "@neoxctl/core";
import { parseDuration, parseSilenceTarget } from "../alerts/silences.ts";
import type { SilenceStore } from "../alerts/silences.ts";
import { renderSilencesPage } from "../render/silences.ts";
import { authFailure } from "./auth.ts";
import type { TokenRing } from "./token-ring.ts";

export interface SilenceDeps {
  silences: SilenceStore;
  tokens: TokenRing;
  actionsEnabled: boolean;
}

type Form = { Body: Record<string, unknown> | null };

function field(body: Record<string, unknown> | null, name: string): string {
  const v = body?.[name];
  return typeof v === "string" ? v.trim() : "";
}

/**
 * `/silences`: the silences in force, and (with an action token typed into the form) adding one
 * or ending one early. The token's name is recorded as who set the silence (`dashboard:<name>`).
 */
export function registerSilenceRoutes(app: FastifyInstance, deps: SilenceDeps): void {
  const page = async (problem?: string): Promise<string> =>
    renderSilencesPage(await deps.silences.list(), deps.actionsEnabled, problem);
  const who = async (
    body: Record<string, unknown> | null
  ): Promise<{ name: string } | { problem: string; status: number }> => {
    const id = deps.actionsEnabled
      ? await deps.tokens.identifySecret(field(body, "token"))
      : { outcome: "read_only" as const };
    if (id.outcome === "ok") return { name: id.name };
    const f = authFailure(id.outcome === "missing" ? "wrong" : id.outcome);
    return { problem: f.message, status: f.status };
  };

  app.get("/silences", async (_req, reply) =>
    reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-store")
      .send(await page())
  );

  app.get("/api/silences", async () => ({ silences: await deps.silences.list() }));

  app.post<Form>("/silences", async (req, reply) => {
    const actor = await who(req.body);
    if ("problem" in actor)
      return reply
        .code(actor.status)
        .type("text/html; charset=utf-8")
        .send(await page(actor.problem));
    try {
      const reason = field(req.body, "reason");
      if (reason === "" || reason.length > 500) throw new Error("a reason of 1-500 characters is required");
      await deps.silences.add({
        target: parseSilenceTarget(field(req.body, "target")),
        forMs: parseDuration(field(req.body, "for"), "for"),
        reason,
        by: `dashboard:${actor.name}`
      });
    } catch (e) {
      const message =
        e instanceof SpecError
          ? e.issues.map((i) => `${i.path}: ${i.rule}`).join("; ")
          : e instanceof Error
            ? e.message
            : "invalid silence";
      return reply
        .code(400)
        .type("text/html; charset=utf-8")
        .send(await page(message));
    }
    return reply.code(303).header("location", "/silences").send();
  });

  app.post<Form & { Params: { id: string } }>("/silences/:id/remove", async (req, reply) => {
    const actor = await who(req.body);
    if ("problem" in actor)
      return reply
        .code(actor.status)
        .type("text/html; charset=utf-8")
        .send(await page(actor.problem));
    await deps.silences.remove(req.params.id);
    return reply.code(303).header("location", "/silences").send();
  });
}
