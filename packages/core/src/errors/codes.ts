/**
 * Every error neoxctl raises carries one of these codes. The union is closed so that callers can
 * switch over it exhaustively and so that `--json` output has a stable vocabulary.
 */
export const ERROR_CODES = [
  // the run spec or a cluster profile is invalid (user input; exit status 2)
  "SPEC_INVALID",
  "SPEC_YAML",
  "SPEC_NOT_FOUND",
  // running a command locally or over SSH
  "EXEC_FAILED",
  "EXEC_TIMEOUT",
  "SSH_CONNECT",
  "SSH_HOSTKEY_UNKNOWN",
  "SSH_HOSTKEY_CHANGED",
  "SSH_AUTH",
  // talking to Slurm
  "SLURM_UNAVAILABLE",
  "SLURM_REJECTED",
  "SLURM_PARSE",
  // durable state and supervision
  "STORE_UNAVAILABLE",
  "RUN_NOT_FOUND",
  "LOCK_HELD",
  "INVALID_TRANSITION",
  "CHECKPOINT_INVALID",
  // a record read back from Redis is not valid JSON or not of its schema
  "CORRUPT_RECORD",
  // a bug or an error we did not classify; converted at a boundary
  "INTERNAL"
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Process exit status for an error code: 2 for bad user input, 1 for everything else. */
export function exitStatusFor(code: ErrorCode): number {
  switch (code) {
    case "SPEC_INVALID":
    case "SPEC_YAML":
    case "SPEC_NOT_FOUND":
      return 2;
    case "EXEC_FAILED":
    case "EXEC_TIMEOUT":
    case "SSH_CONNECT":
    case "SSH_HOSTKEY_UNKNOWN":
    case "SSH_HOSTKEY_CHANGED":
    case "SSH_AUTH":
    case "SLURM_UNAVAILABLE":
    case "SLURM_REJECTED":
    case "SLURM_PARSE":
    case "STORE_UNAVAILABLE":
    case "RUN_NOT_FOUND":
    case "LOCK_HELD":
    case "INVALID_TRANSITION":
    case "CHECKPOINT_INVALID":
    case "CORRUPT_RECORD":
    case "INTERNAL":
      return 1;
  }
}
