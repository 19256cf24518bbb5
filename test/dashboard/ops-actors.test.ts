import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { Keys, RunStore } from "@neoxctl/supervisor";
import type { Run } from "@neoxctl/supervisor";
import {
  buildDashboard,
  newNamedToken,
  SilenceStore,
  SupervisorActions,
  SupervisorReadModel
} from "@neoxctl/dashboard";
import type { Dashboard } from "@neoxctl/dashboard";
import { putRunWithEvent, runRecord } from "../support/run-record.ts";
import { clearPrefix } from "./seed-history.ts";

// Named actors and the silences page against the real store in Redis: who took each action is
// queued with the command, shown in the decision log and counted in /metrics.
const prefix = `test:ops-actors:${process.pid}:${Date.now()}:`;
const RUN = "ops-actors-run";
const bob = newNamedToken("bob");
const LEGACY = "legacy-single-token-0123456789";
let redis: Redis;
let store: RunStore;
let d: Dashboard;

function run(): Run {
  return runRecord(RUN, { state: "needs_attention" });
}

beforeAll(async () => {
  redis = new Redis("redis://127.0.0.1:6379");
  store = new RunStore(redis, new Keys(prefix));
  const r = run();
  // what the supervisor records when it carries out a CLI user's command
  await putRunWithEvent(store, r, {
    type: "acknowledged",
    time: new Date().toISOString(),
    cause: "acknowledged by the user",
    evidence: {},
    actor: "cli:alice"
  });
  const model = new SupervisorReadModel({ redis, prefix });
  d = await buildDashboard({
    model,
    actions: new SupervisorActions(model.store),
    token: LEGACY,
    tokens: [bob.record],
    silences: new SilenceStore(redis, prefix)
  });
});

afterAll(async () => {
  await d?.close();
  if (redis) {
    await clearPrefix(redis, prefix);
    redis.disconnect();
  }
});

describe("named actors", () => {
  it("shows who acted in the decision log", async () => {
    const page = await d.app.inject({ url: `/runs/${RUN}` });
    expect(page.body).toContain('data-actor="cli:alice"');
    expect(page.body).toContain("by cli:alice");
  });

  it("queues a dashboard action with the token's name and counts it in /metrics", async () => {
    const post = (secret: string) =>
      d.app.inject({
        method: "POST",
        url: `/api/runs/${RUN}/actions/cancel`,
        headers: { authorization: `Bearer ${secret}` }
      });
    expect((await post(bob.secret)).statusCode).toBe(200);
    expect((await post(LEGACY)).statusCode).toBe(200);
    expect((await post("not-a-token-at-all")).statusCode).toBe(401);
    const queued = (await redis.lrange(store.keys.control(RUN), 0, -1)).map(
      (raw) => (JSON.parse(raw) as { actor?: string }).actor
    );
    expect(queued).toEqual(["dashboard:bob", "dashboard:default"]);
    const metrics = (await d.app.inject({ url: "/metrics" })).body;
    expect(metrics).toMatch(/neoxctl_manual_actions_total\{actor="dashboard:bob",action="cancel"\} 1/);
    expect(metrics).toMatch(/neoxctl_manual_actions_total\{actor="dashboard:default",action="cancel"\} 1/);
  });
});

describe("the silences page", () => {
  const form = (url: string, fields: Record<string, string>) =>
    d.app.inject({
      method: "POST",
      url,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams(fields).toString()
    });

  it("adds a silence with a valid token only, shows it with who set it, and ends it", async () => {
    const fields = { target: `team:ops-actors`, for: "1h", reason: "known slow node" };
    const refused = await form("/silences", { ...fields, token: "wrong" });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).not.toContain("wrong");
    const bad = await form("/silences", { ...fields, for: "forever", token: bob.secret });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("silence-problem");
    const ok = await form("/silences", { ...fields, token: bob.secret });
    expect(ok.statusCode).toBe(303);
    const page = (await d.app.inject({ url: "/silences" })).body;
    expect(page).toContain("team:ops-actors");
    expect(page).toContain("dashboard:bob");
    expect(page).toContain("known slow node");
    const [silence] = (await d.app.inject({ url: "/api/silences" })).json<{ silences: { id: string }[] }>()
      .silences;
    expect(silence).toBeDefined();
    expect((await form(`/silences/${silence!.id}/remove`, { token: LEGACY })).statusCode).toBe(303);
    expect((await d.app.inject({ url: "/silences" })).body).toContain('id="no-silences"');
  });
});
