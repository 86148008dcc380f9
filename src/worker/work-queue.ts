import { z } from "zod";
import { ConfigurationError } from "../errors.js";
import type { RunJob, RunQueue } from "../runs/index.js";

/** Handles one job; a throw hands it back to the queue for a later retry. */
export type JobHandler = (job: RunJob) => Promise<void>;

/** A queue workers consume: sends doorbells, and hands them to `concurrency` consumers. */
export interface WorkQueue extends RunQueue {
  /** Starts `concurrency` consumers, each handling one job at a time with `handle`. */
  work(concurrency: number, handle: JobHandler): Promise<void>;
  /** Stops taking jobs; a job in hand finishes. */
  stopWork(): Promise<void>;
  /** Stops taking jobs and closes the queue's connections. */
  close(): Promise<void>;
}

const jobSchema = z.object({
  kind: z.enum(["agent", "workflow"]),
  ownerId: z.string().min(1),
  runId: z.string().min(1),
  sessionId: z.string().min(1),
});

/** A job's data as sent by RunQueue.send(), checked: a queue is a boundary like any other. */
export function parseJob(data: unknown): RunJob {
  const parsed = jobSchema.safeParse(data);
  if (!parsed.success)
    throw new ConfigurationError(
      `A job in the run queue is not { kind, ownerId, runId, sessionId }: ${JSON.stringify(data)}; only kern sends to this queue.`,
    );
  return parsed.data;
}
