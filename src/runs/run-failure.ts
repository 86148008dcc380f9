import { KernError } from "../errors.js";

/** True for the error an AbortSignal raises. */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

/** How a run that threw is stored: `cancelled` when aborted, else `error`, with the code and message. */
export function runFailure(error: unknown): {
  status: "cancelled" | "error";
  error: { code: string; message: string };
} {
  const aborted = isAbort(error);
  return {
    status: aborted ? "cancelled" : "error",
    error: {
      code: error instanceof KernError ? error.code : aborted ? "KERN_ABORTED" : "KERN_UNEXPECTED",
      message: error instanceof Error ? error.message : String(error),
    },
  };
}

/** Calls both listeners: the stream's own, then the caller's. */
export function chainListeners<T>(
  first: (event: T) => void,
  second: ((event: T) => void) | undefined,
): (event: T) => void {
  return second === undefined
    ? first
    : (event) => {
        first(event);
        second(event);
      };
}
