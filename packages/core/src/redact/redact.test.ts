import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets, redactUrl, registerSecrets } from "./redact.ts";

describe("redactUrl", () => {
  it("masks a Redis password and keeps host and db", () => {
    expect(redactUrl("redis://:s3cret-pw@127.0.0.1:6390/2")).toBe(`redis://:${REDACTED}@127.0.0.1:6390/2`);
    expect(redactUrl("rediss://neox:s3cret-pw@redis.example:6379")).toBe(
      `rediss://neox:${REDACTED}@redis.example:6379`
    );
    expect(redactUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
  });

  it("hides a webhook's path and query", () => {
    expect(redactUrl("https://hooks.slack.com/services/T000/B000/XXXXSECRET")).toBe(
      `https://hooks.slack.com/${REDACTED}`
    );
    expect(redactUrl("https://example.org/hook?token=abcd")).toBe(`https://example.org/${REDACTED}`);
    expect(redactUrl("not a url")).toBe("<redacted url>");
  });
});

describe("redactSecrets", () => {
  it("masks tokens, URLs and the pieces error messages quote", () => {
    const hook = "https://hooks.slack.com/services/T000/B000/XXXXSECRET";
    const text = `POST ${hook} failed: 404 for /services/T000/B000/XXXXSECRET; token tok-1234567890 refused`;
    const out = redactSecrets(text, [hook, "tok-1234567890"]);
    expect(out).not.toContain("XXXXSECRET");
    expect(out).not.toContain("tok-1234567890");
    expect(out).toContain("hooks.slack.com");
  });

  it("masks any URL password even when nobody listed it", () => {
    const out = redactSecrets("connect ECONNREFUSED redis://user:hunter2-pw@10.0.0.1:6379/0 (retrying)");
    expect(out).toBe(`connect ECONNREFUSED redis://user:${REDACTED}@10.0.0.1:6379/0 (retrying)`);
  });

  it("masks a listed Redis password wherever it appears alone, also percent-decoded", () => {
    const url = "redis://:p%40ss%3Aword99@127.0.0.1:6390";
    const out = redactSecrets(`AUTH failed for p@ss:word99 and p%40ss%3Aword99 via ${url}`, [url]);
    expect(out).not.toMatch(/p@ss:word99|p%40ss%3Aword99/);
  });

  it("never leaves a listed secret in the text (property)", () => {
    fc.assert(
      // a secret made of the marker's own characters could re-form across two adjacent markers
      fc.property(
        fc.string({ minLength: 4, maxLength: 40 }).filter((s) => !/[<>]/.test(s)),
        fc.string(),
        fc.string(),
        (secret, a, b) => {
          const out = redactSecrets(`${a}${secret}${b}${secret}`, [secret]);
          expect(out.includes(secret)).toBe(false);
        }
      ),
      { numRuns: 1000 }
    );
  });
});

describe("redactSecrets without a list", () => {
  const cases: [string, string][] = [
    ["POST https://hooks.slack.com/services/T0A/B0B/xyzSECRETxyz failed", "xyzSECRETxyz"],
    ["hook https://discord.com/api/webhooks/123/SECRETdiscordTok", "SECRETdiscordTok"],
    ["GET https://example.org/x?access_token=SECRETq1&page=2", "SECRETq1"],
    ["Authorization: Bearer SECRETbearer123", "SECRETbearer123"],
    ["export WANDB_API_KEY=SECRETwandb0", "SECRETwandb0"],
    ['{"NEOXCTL_DASHBOARD_TOKEN": "SECRETdash99"}', "SECRETdash99"],
    ["hf token hf_SECRETabcdefghijklmnopqrstuvwxyz0123", "hf_SECRET"],
    ["slack xoxb-1234567890-SECRETslack", "SECRETslack"]
  ];
  it.each(cases)("masks %s", (text, secret) => {
    const out = redactSecrets(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it("leaves training log lines alone", () => {
    const line =
      " iteration     3000/  143000 | consumed samples: 3072000 | elapsed time per iteration (ms): 843.1 | learning rate: 1.000E-04 | lm_loss: 2.751400E+00 | tokens_per_second: 2487000 | max_tokens: 2048";
    expect(redactSecrets(line)).toBe(line);
  });
});

describe("registerSecrets", () => {
  it("masks a registered secret in every later call", () => {
    registerSecrets(["registered-Secret-77"]);
    expect(redactSecrets("value registered-Secret-77 here")).toBe(`value ${REDACTED} here`);
  });
});
