/**
 * A failure NeoX would raise as a Python exception. main.ts prints it as a traceback tail on stderr
 * and exits 1, which is what an uncaught exception does to `python train.py`.
 */
export type PythonErrorType =
  | "TypeError"
  | "ValueError"
  | "AssertionError"
  | "AttributeError"
  | "KeyError"
  | "RuntimeError"
  | "FileNotFoundError"
  | "ZeRORuntimeException"
  | "PermissionError"
  | "FileExistsError"
  | "NotADirectoryError"
  | "IsADirectoryError"
  | "OSError"
  | "ModuleNotFoundError"
  | "torch.distributed.DistStoreError";

/** One traceback entry, printed as Python does when the source line is not shown. */
export interface PyFrame {
  file: string;
  line: number;
  func: string;
}

export class PythonError extends Error {
  constructor(
    readonly pyType: PythonErrorType,
    message: string,
    /** lines NeoX logs before raising, printed ahead of the traceback */
    readonly preamble: readonly string[] = [],
    /** frames below train.py's `main()` call, outermost first; empty: only the `<module>` frame */
    readonly frames: readonly PyFrame[] = []
  ) {
    super(message);
    this.name = pyType;
  }
}
