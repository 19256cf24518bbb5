export type { Executor, ExecOptions, ExecResult, ExecutorKind, ExecTarget } from "./executor.ts";
