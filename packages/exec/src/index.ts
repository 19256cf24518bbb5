export type { Executor, ExecOptions, ExecResult, ExecutorKind } from "./executor.ts";
