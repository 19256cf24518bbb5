import { describe, expect, it } from "vitest";
import { slackMessage } from "./slack-message.ts";

describe("slackMessage", () => {
  const message = slackMessage(
    {
      kind: "needs_attention",
      runId: "r1",
      runName: "r1",
      summary:
        "<!channel> <https://evil.example|click> hook https://hooks.slack.com/services/T1/B2/SlackSecret9 \u001b]52;c;QQ==\u0007",
      facts: { step: "<@U123> 5 / 10" }
    },
    "http://127.0.0.1:8080"
  );

  it("escapes the fallback text like the blocks: no mention, no link, no secret, no control", () => {
    for (const text of [message.text, JSON.stringify(message.blocks)]) {
      expect(text).not.toMatch(/<!channel>|<https:\/\/evil|<@U123>/);
      expect(text).not.toContain("SlackSecret9");
      expect(text).not.toContain("\u001b");
    }
    expect(message.text).toContain("&lt;!channel&gt;");
    expect(message.text).toContain("http://127.0.0.1:8080/runs/r1");
  });

  it("links the runbook page of the attention cause, or of the alert kind", () => {
    const blocks = (a: Parameters<typeof slackMessage>[0]): string =>
      JSON.stringify(slackMessage(a, "http://127.0.0.1:8080/").blocks);
    const base = { runId: "r1", runName: "r1", facts: {} };
    expect(
      blocks({ ...base, kind: "needs_attention", summary: "job 5 ran out of memory on nid1; not retrying" })
    ).toContain("http://127.0.0.1:8080/runbook/out_of_memory.md");
    expect(blocks({ ...base, kind: "slowdown", summary: "slower" })).toContain("/runbook/slowdown.md");
  });
});
