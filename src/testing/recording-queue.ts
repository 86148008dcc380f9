import type { RunJob, RunQueue } from "../runs/index.js";

/**
 * A RunQueue for tests: keeps every job it is sent, in order, and hands them out with `take()`.
 * Pair it with `workflow.processQueuedRun(job)` to play the worker in the same process.
 *
 * @example
 * const queue = new RecordingQueue();
 * const workflow = new Workflow({ name: "w", db, queue, steps });
 * const { runId } = await workflow.enqueueRun("go");
 * for (const job of queue.take()) await workflow.processQueuedRun(job);
 */
export class RecordingQueue implements RunQueue {
  readonly #jobs: RunJob[] = [];

  async send(job: RunJob): Promise<void> {
    this.#jobs.push({ ...job });
  }

  /** Every job sent so far, oldest first. */
  get sent(): readonly RunJob[] {
    return this.#jobs;
  }

  /** The jobs not taken yet, oldest first; each job is taken once. */
  take(): RunJob[] {
    const taken = this.#jobs.slice(this.#taken);
    this.#taken = this.#jobs.length;
    return taken;
  }

  #taken = 0;
}
