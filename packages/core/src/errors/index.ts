export { ERROR_CODES, exitStatusFor } from "./codes.ts";
export type { ErrorCode } from "./codes.ts";
export {
  NeoxctlError,
  SpecError,
  ExecError,
  SlurmError,
  StateError,
  toNeoxctlError,
  formatSpecIssues
} from "./classes.ts";
export type { SpecIssue, ErrorDetails } from "./classes.ts";
