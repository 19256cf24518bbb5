import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { ResilienceSchema } from "@neoxctl/core";
import { Keys, noBudgetUsed, RunStore } from "@neoxctl/supervisor";
import type { Attempt, Run, RunEvent } from "@neoxctl/supervisor";

/**
 * A run whose records carry what a training log or an error message can carry: credentials
 * nobody configured (a Slack webhook, a token assignment, a Bearer header, a Redis password, a
 * Hugging Face token) and terminal control sequences (OSC 52 clipboard write, screen clear, C1 CSI,
 * bidi override, carriage return, bell). Every output must show none of the secrets and none of
 * the controls raw.
 */
export const HOSTILE_SECRETS = [
  "HostileHookSecret1",
  "T0HOST/B0HOST",
  "tok-HostileToken-abcdef123456",
  "HostileBearer0123456789",
  "HostilePw99",
  "hf_HostileHuggingFace0123456789abcdefgh"
] as const;

export const HOSTILE_CONTROLS = [
  "\u001b]52;c;SG9zdGlsZQ==\u0007", // OSC 52: write the clipboard
  "\u001b[2J\u001b[H", // clear the screen
  "\u009b31m", // C1 CSI
  "\u202e", // right-to-left override
  "\r", // overwrite the line
  "\u0007", // bell
  "\u001b]8;;https://evil.example\u001b\\" // OSC 8 hyperlink
] as const;

/** What must never reach a terminal or page raw (a `\r\n` line end aside). */
export const RAW_CONTROL =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/;

export function leakedSecrets(text: string): string[] {
  return HOSTILE_SECRETS.filter((s) => text.includes(s));
}

const CAUSE = `alert delivery to https://hooks.slack.com/services/T0HOST/B0HOST/HostileHookSecret1 failed ${HOSTILE_CONTROLS[0]}${HOSTILE_CONTROLS[3]}`;
const HOSTILE_LOG_LINES = [
  `export NEOXCTL_DASHBOARD_TOKEN=tok-HostileToken-abcdef123456 ${HOSTILE_CONTROLS[1]}`,
  `curl -H "Authorization: Bearer HostileBearer0123456789" ${HOSTILE_CONTROLS[2]}`,
  `redis error at redis://:HostilePw99@10.0.0.5:6379/0${HOSTILE_CONTROLS[4]}overwritten`,
  `hub login hf_HostileHuggingFace0123456789abcdefgh ${HOSTILE_CONTROLS[5]}${HOSTILE_CONTROLS[6]}`
];

export interface HostileRun {
  runId: string;
  logPath: string;
}

/** Writes the run through the supervisor's own store, and its attempt's log to `dir`. */
export async function seedHostileRun(redis: Redis, prefix: string, dir: string): Promise<HostileRun> {
  const keys = new Keys(prefix);
  const store = new RunStore(redis, keys);
  const runId = "hostile-0a0b0c";
  const time = new Date().toISOString();
  mkdirSync(dir, { recursive: true });
  const logPath = join(dir, "attempt-1.log");
  writeFileSync(logPath, HOSTILE_LOG_LINES.join("\n") + "\n");
  const params = { load: { kind: "init" as const }, lr: 1e-4, seed: 1, excludeNodes: [] };
  const run: Run = {
    id: runId,
    name: "hostile",
    state: "needs_attention",
    cluster: "local",
    runDir: dir,
    trainIters: 100,
    resilience: ResilienceSchema.parse({}),
    // of the stored shape the supervisor checks (spec with a name, profile, manifest)
    planInput: {
      spec: { name: "hostile", training: { log_interval: 10 }, checkpointing: { checkpoint_factor: 50 } },
      profile: { name: "local" },
      manifest: {},
      neox: { train_batch_size: 8, seq_length: 128 }
    },
    params,
    attempts: 1,
    budgetsUsed: noBudgetUsed(),
    rollbacks: [],
    crashLoop: null,
    noted: [],
    abandoned: [],
    specLr: 1e-4,
    initFromCheckpoint: false,
    attention: CAUSE,
    createdAt: time,
    updatedAt: time
  };
  const attempt: Attempt = {
    index: 1,
    reason: "first",
    params,
    diff: [],
    phase: "ended",
    configDir: dir,
    logPath,
    jobId: "4242",
    restartsSeen: 0,
    cancelRequested: false,
    createdAt: time,
    endedAt: time,
    endState: "FAILED",
    logOffset: 0
  };
  const event: RunEvent = {
    type: "needs_attention",
    time,
    cause: CAUSE,
    attempt: 1,
    from: "running",
    to: "needs_attention",
    evidence: { slurmState: "FAILED", jobId: "4242", logLines: HOSTILE_LOG_LINES }
  };
  await store.commit(null, [
    { op: "sadd", key: keys.runs(), value: runId },
    store.putRun(run),
    store.putAttempt(runId, attempt),
    store.event(runId, event)
  ]);
  return { runId, logPath };
}
