/** A mistake in how the CLI was called, or a pause it cannot answer: printed without a stack. */
export class UsageError extends Error {
  override readonly name: string = "UsageError";
  /** 2 for a call that cannot work as given (no terminal, unknown name), 1 for a missing run or file. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}
