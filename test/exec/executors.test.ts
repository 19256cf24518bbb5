import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecError } from "@neoxctl/core";
import { createExecutor } from "@neoxctl/exec";
import type { ExecResult, Executor, ExecTarget } from "@neoxctl/exec";
import { ensureSshd, localTarget, sshTarget } from "../support/targets.ts";

// names a job or a path may carry; every one must arrive byte for byte
const NASTY = [
  "$(touch /tmp/neoxctl-pwned)",
  "`id`",
  `it's "quoted"`,
  "two words",
  "line one\nline two",
  "a;b|c&d<e>f*g?h~i",
  "ünïcødé λ 🚀",
  "-n",
  "A=b",
  "$HOME ${PATH}",
  "back\\slash",
  ""
];

function shapeOf(r: ExecResult): Omit<ExecResult, "durationMs"> {
  const { durationMs, ...rest } = r;
  expect(typeof durationMs).toBe("number");
  expect(durationMs).toBeGreaterThanOrEqual(0);
  return rest;
}

const results = new Map<string, ExecResult>();

describe.each([
  ["local", localTarget],
  ["ssh", sshTarget]
] as [string, ExecTarget][])("%s executor", (name, target) => {
  let ex: Executor;
  let scratch: string;

  beforeAll(async () => {
    if (target.kind === "ssh") ensureSshd();
    ex = await createExecutor(target);
    // the test sshd runs on this machine, so one temp dir serves both executors
    scratch = await mkdtemp(join(tmpdir(), `neoxctl-exec-${name}-`));
  });

  afterAll(async () => {
    await ex.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("returns the common result shape", async () => {
    const r = await ex.run(["sh", "-c", "echo out; echo err >&2; exit 3"]);
    expect(Object.keys(r).sort()).toEqual([
      "command",
      "durationMs",
      "exitCode",
      "signal",
      "stderr",
      "stdout"
    ]);
    expect(shapeOf(r)).toEqual({
      command: ["sh", "-c", "echo out; echo err >&2; exit 3"],
      exitCode: 3,
      signal: null,
      stdout: "out\n",
      stderr: "err\n"
    });
    results.set(name, r);
    const other = results.get(name === "local" ? "ssh" : "local");
    if (other) expect(shapeOf(r)).toEqual(shapeOf(other));
  });

  it("reports a signal death as signal with a null exit code", async () => {
    const r = await ex.run(["sh", "-c", "kill -TERM $$"]);
    expect([r.exitCode, r.signal]).toEqual([null, "SIGTERM"]);
  });

  it("reports a missing program as exit 127", async () => {
    const r = await ex.run(["neoxctl-no-such-program"]);
    expect(r.exitCode).toBe(127);
  });

  it("passes metacharacters through literally", async () => {
    const r = await ex.run(["printf", "%s\\0", ...NASTY]);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual(NASTY);
    await expect(ex.run(["test", "-e", "/tmp/neoxctl-pwned"])).resolves.toMatchObject({ exitCode: 1 });
  });

  it("applies cwd, env and stdin literally", async () => {
    const dir = join(scratch, "dir with 'quotes' and $(x)");
    await mkdir(dir);
    const env = { NEOX_A: NASTY.join("|"), NEOX_B: "x'y" };
    const r = await ex.run(["sh", "-c", 'pwd; printf "%s\\n" "$NEOX_A" "$NEOX_B"; cat'], {
      cwd: dir,
      env,
      stdin: "in`put`\n"
    });
    expect(r.stdout).toBe(`${dir}\n${env.NEOX_A}\n${env.NEOX_B}\nin\`put\`\n`);
  });

  it("throws EXEC_FAILED with the result under check", async () => {
    const err = await ex.run(["sh", "-c", "echo nope >&2; exit 4"], { check: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecError);
    expect((err as ExecError).code).toBe("EXEC_FAILED");
    expect((err as ExecError).details.result).toMatchObject({ exitCode: 4, stderr: "nope\n" });
    await expect(ex.run(["true"], { check: true })).resolves.toMatchObject({ exitCode: 0 });
  });

  it("throws EXEC_TIMEOUT and leaves no process behind", async () => {
    const marker = `neoxctl-timeout-${name}-${process.pid}`;
    // the shell's child `sleep` is a grandchild: it must die too, not just the shell
    const err = await ex
      .run(["sh", "-c", `sleep 3${process.pid}; echo ${marker}`, marker], { timeoutMs: 300 })
      .catch((e: unknown) => e);
    expect((err as ExecError).code).toBe("EXEC_TIMEOUT");
    // the remote side is bounded one second past the timeout; poll until it is gone
    let left = "";
    for (let i = 0; i < 40; i++) {
      left = (
        await ex.run(["sh", "-c", `ps -eo args | grep -F -- 'sleep 3${process.pid}' | grep -v grep || true`])
      ).stdout;
      if (left === "") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(left).toBe("");
  });

  it("creates files with hostile names via writeFile and lists them back", async () => {
    const names = NASTY.filter((n) => n !== "" && !n.includes("/") && n !== "-n").map((n) => `job ${n}`);
    const dir = join(scratch, "names");
    for (const n of names) await ex.writeFile(join(dir, n), `content of ${n}`, 0o640);
    const r = await ex.run(["find", dir, "-mindepth", "1", "-printf", "%f\\0%m\\0"], { check: true });
    const fields = r.stdout.split("\0").slice(0, -1);
    const listed = new Map<string, string>();
    for (let i = 0; i < fields.length; i += 2) listed.set(fields[i] ?? "", fields[i + 1] ?? "");
    expect([...listed.keys()].sort()).toEqual([...names].sort());
    expect(new Set(listed.values())).toEqual(new Set(["640"]));
    const back = await ex.readFrom(join(dir, names[0] ?? ""), 0);
    expect(back.data.toString()).toBe(`content of ${names[0]}`);
  });

  it("reads from an offset without re-reading", async () => {
    const file = join(scratch, "log", "train.log");
    expect(await ex.readFrom(file, 0)).toEqual({ data: Buffer.alloc(0), size: 0 });
    await ex.writeFile(file, "hello world");
    const first = await ex.readFrom(file, 6);
    expect([first.data.toString(), first.size]).toEqual(["world", 11]);
    const capped = await ex.readFrom(file, 0, 5);
    expect([capped.data.toString(), capped.size]).toEqual(["hello", 11]);
    await ex.run(["sh", "-c", 'printf "\\nmore" >> "$1"', "sh", file], { check: true });
    const next = await ex.readFrom(file, first.size);
    expect([next.data.toString(), next.size]).toEqual(["\nmore", 16]);
    expect((await ex.readFrom(file, 100)).data.length).toBe(0);
  });

  it("uploads a nested tree keeping modes", async () => {
    const src = join(scratch, "src-run");
    await mkdir(join(src, "a", "b c", "d"), { recursive: true });
    await writeFile(join(src, "run.sbatch"), "#!/bin/bash\necho hi\n");
    await chmod(join(src, "run.sbatch"), 0o750);
    await writeFile(join(src, "a", "neox.yml"), "train_iters: 10\n");
    await chmod(join(src, "a", "neox.yml"), 0o600);
    await writeFile(join(src, "a", "b c", "d", "it's deep $(x).txt"), "deep\n");
    await chmod(src, 0o711);
    await chmod(join(src, "a", "b c"), 0o700);
    const dest = join(scratch, "uploaded", "run 1");
    await ex.uploadDir(src, dest);
    await ex.uploadDir(src, dest);
    const r = await ex.run(["find", ".", "-printf", "%y %m %p\\n"], { cwd: dest, check: true });
    expect(r.stdout.trim().split("\n").sort()).toEqual(
      [
        "d 711 .",
        "d 755 ./a",
        "d 700 ./a/b c",
        "d 755 ./a/b c/d",
        "f 644 ./a/b c/d/it's deep $(x).txt",
        "f 600 ./a/neox.yml",
        "f 750 ./run.sbatch"
      ].sort()
    );
    expect((await ex.run(["./run.sbatch"], { cwd: dest })).stdout).toBe("hi\n");
  });
});
