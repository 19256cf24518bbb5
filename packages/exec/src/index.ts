// The public API of @neoxctl/exec: what other packages import, named one by one.
export { execTargetFromAccess } from "./access-target.ts";
export { createExecutor } from "./create-executor.ts";
export type { ExecOptions, ExecResult, ExecTarget, Executor } from "./executor.ts";
export { LocalExecutor } from "./local-executor.ts";
export { remoteCommandLine } from "./shell-quote.ts";
export { SshExecutor } from "./ssh/ssh-executor.ts";
