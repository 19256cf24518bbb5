import { describe, expect, it } from "vitest";
import { checkBearer } from "./auth.ts";
import { buildDashboard } from "./app.ts";
import { MemoryRunModel } from "../model/memory-model.ts";
import { newNamedToken, sha256Hex } from "./tokens.ts";

const TOKEN = "0123456789abcdef-token";
const run = {
  id: "r1",
  name: "r1",
  state: "running" as const,
  cluster: "c",
  step: 1,
  trainIters: 2,
  attempt: 1,
  recoveries: {},
  rollbackCount: 0,
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z"
};

describe("checkBearer", () => {
  it("distinguishes read-only, missing, wrong and ok", () => {
    expect(checkBearer(undefined, `Bearer ${TOKEN}`)).toBe("read_only");
    expect(checkBearer(TOKEN, undefined)).toBe("missing");
    expect(checkBearer(TOKEN, "Basic abc")).toBe("missing");
    expect(checkBearer(TOKEN, `Bearer ${TOKEN}x`)).toBe("wrong");
    expect(checkBearer(TOKEN, `Bearer ${TOKEN.slice(0, -1)}`)).toBe("wrong");
    expect(checkBearer(TOKEN, `Bearer ${TOKEN}`)).toBe("ok");
  });
});

describe("action routes", () => {
  it("record the named token that took each action; the old single token acts as default", async () => {
    const model = new MemoryRunModel();
    model.put(run);
    const alice = newNamedToken("alice");
    const d = await buildDashboard({ model, actions: model, token: TOKEN, tokens: [alice.record] });
    const cancel = (secret: string) =>
      d.app.inject({
        method: "POST",
        url: "/api/runs/r1/actions/cancel",
        headers: { authorization: `Bearer ${secret}` }
      });
    expect((await cancel(alice.secret)).statusCode).toBe(200);
    expect((await cancel(TOKEN)).statusCode).toBe(200);
    // what a file holds is no secret: neither the stored hash nor the secret's SHA-256 passes
    expect((await cancel((alice.record as { hash: string }).hash)).statusCode).toBe(401);
    expect((await cancel(sha256Hex(alice.secret))).statusCode).toBe(401);
    expect(model.performed.map((p) => p.actor)).toEqual(["dashboard:alice", "dashboard:default"]);
    await d.close();
  });

  it("answer 401 without or with a wrong token, 200 with it, and never echo the token", async () => {
    const model = new MemoryRunModel();
    model.put(run);
    const d = await buildDashboard({ model, actions: model, token: TOKEN });
    const post = (auth?: string, body?: object) =>
      d.app.inject({
        method: "POST",
        url: "/api/runs/r1/actions/rollback",
        headers: auth ? { authorization: auth } : {},
        payload: body ?? { toStep: 0, lrFactor: 0.5 }
      });
    expect((await post()).statusCode).toBe(401);
    expect((await post("Bearer nope")).statusCode).toBe(401);
    expect((await post(`Bearer ${TOKEN}`, { toStep: -1 })).statusCode).toBe(400);
    const ok = await post(`Bearer ${TOKEN}`);
    expect(ok.statusCode).toBe(200);
    expect(ok.body).not.toContain(TOKEN);
    expect(model.performed).toEqual([
      { kind: "rollback", runId: "r1", toStep: 0, lrFactor: 0.5, actor: "dashboard:default" }
    ]);
    const page = await d.app.inject({ url: "/runs/r1" });
    expect(page.body).toContain('data-action="rollback"');
    expect(page.body).not.toContain(TOKEN);
    await d.close();
  });

  it("exclude: takes a node name, refuses an option-looking one; the run page offers it and shows goodput", async () => {
    const model = new MemoryRunModel();
    model.put({ ...run, goodput: { ett: 0.931, wallS: 7200, split: { productive: 6703, queue: 497 } } });
    const d = await buildDashboard({ model, actions: model, token: TOKEN });
    const post = (body: object) =>
      d.app.inject({
        method: "POST",
        url: "/api/runs/r1/actions/exclude",
        headers: { authorization: `Bearer ${TOKEN}` },
        payload: body
      });
    expect((await post({ node: "--help" })).statusCode).toBe(400);
    expect((await post({})).statusCode).toBe(400);
    expect((await post({ node: "nid005613" })).statusCode).toBe(200);
    expect(model.performed).toEqual([
      { kind: "exclude", runId: "r1", node: "nid005613", actor: "dashboard:default" }
    ]);
    const page = (await d.app.inject({ url: "/runs/r1" })).body;
    expect(page).toContain('data-action="exclude"');
    expect(page).toMatch(/effective training time <strong>93\.1 %<\/strong>/);
    await d.close();
  });

  it("is read-only (403, no buttons) without a configured token", async () => {
    const model = new MemoryRunModel();
    model.put(run);
    const d = await buildDashboard({ model, actions: model });
    expect(
      (
        await d.app.inject({
          method: "POST",
          url: "/api/runs/r1/actions/cancel",
          headers: { authorization: `Bearer ${TOKEN}` }
        })
      ).statusCode
    ).toBe(403);
    expect((await d.app.inject({ url: "/runs/r1" })).body).not.toContain("data-action=");
    expect(model.performed).toHaveLength(0);
    await d.close();
  });
});
