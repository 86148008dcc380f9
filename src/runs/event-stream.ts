/**
 * An async iterable of a run's events plus `.output`, the run's stored result. The run starts at
 * once; events are buffered until read. When the run fails, the iterator ends after the error
 * event and `.output` rejects with the error.
 */
export class RunStream<TEvent, TOutput> implements AsyncIterable<TEvent> {
  /** Resolves to the stored run once it pauses, completes or is cancelled; rejects on failure. */
  readonly output: Promise<TOutput>;
  readonly #buffer: TEvent[] = [];
  #wake: (() => void) | undefined;
  #finished = false;

  constructor(start: (emit: (event: TEvent) => void) => Promise<TOutput>) {
    this.output = start((event) => this.#push(event)).finally(() => {
      this.#finished = true;
      this.#wake?.();
    });
    // Reading only the events must not turn a failed run into an unhandled rejection.
    this.output.catch(() => undefined);
  }

  #push(event: TEvent): void {
    this.#buffer.push(event);
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TEvent> {
    for (;;) {
      const next = this.#buffer.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.#finished) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}
