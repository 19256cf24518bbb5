/**
 * A failure NeoX would raise as a Python exception. main.ts prints it as a traceback tail on stderr
 * and exits 1, which is what an uncaught exception does to `python train.py`.
 */
export type PythonErrorType = "TypeError" | "ValueError" | "AssertionError" | "AttributeError" | "KeyError" | "RuntimeError" | "FileNotFoundError" | "ZeRORuntimeException";

export class PythonError extends Error {
  constructor(
    readonly pyType: PythonErrorType,
    message: string,
    /** lines NeoX logs before raising, printed ahead of the traceback */
    readonly preamble: readonly string[] = []
  ) {
    super(message);
    this.name = pyType;
  }
}
