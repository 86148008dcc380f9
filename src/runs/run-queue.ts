import type { RunKind } from "../db/index.js";
import { ConfigurationError } from "../errors.js";
import type { RunStatus } from "./agent-run-state.js";

/**
 * A doorbell for a worker: which stored run to look at. The job carries no state and no
 * decisions; the stored run is the single source of truth, so a job delivered twice, late, or
 * after the run moved on some other way does nothing harmful.
 */
export interface RunJob {
  kind: RunKind;
  /** The workflow's or agent's id. */
  ownerId: string;
  runId: string;
  sessionId: string;
}

/**
 * Where `enqueueRun()` and `enqueueContinue()` ring for a worker: `PgBossQueue` from
 * `kern/worker`, or any queue of yours whose consumers call `processQueuedRun()`.
 */
export interface RunQueue {
  send(job: RunJob): Promise<void>;
}

/** What enqueueRun() and enqueueContinue() return at once: the stored run waits for a worker. */
export interface EnqueuedRun {
  runId: string;
  sessionId: string;
  /** "pending" while it waits in the queue; "cancelled" when a lapsed deadline cancelled it there and then. */
  status: RunStatus;
}

/** Why processQueuedRun() left a run as it is (each a normal outcome for a doorbell). */
export type SkipReason =
  /** No such run in this session. */
  | "not-found"
  /** A process holds its claim; recover() takes it over once the lease lapses. */
  | "running"
  /** It waits for a person's decision. */
  | "needs-decision"
  /** It completed, was cancelled or ended with an error. */
  | "finished"
  /** Another worker or caller claimed it first. */
  | "claimed-elsewhere";

/** What processQueuedRun() did with a job. */
export type QueuedRunOutcome =
  | { action: "ran"; runId: string; status: RunStatus }
  | { action: "skipped"; runId: string; reason: SkipReason };

/** Checks an Agent's or Workflow's `queue` option. */
export function checkQueue(label: string, queue: RunQueue | undefined): void {
  if (queue !== undefined && typeof queue?.send !== "function")
    throw new ConfigurationError(
      `${label} queue must have a send(job) method, e.g. new PgBossQueue({ dbUrl }) from kern/worker.`,
    );
}

/** The queue of an Agent or Workflow, or ConfigurationError saying how to give it one. */
export function requireQueue(queue: RunQueue | undefined, what: "agent" | "workflow", method: string): RunQueue {
  if (queue !== undefined) return queue;
  const name = what === "agent" ? "Agent" : "Workflow";
  throw new ConfigurationError(
    `${what}.${method}() needs a queue: new ${name}({ ..., queue: new PgBossQueue({ dbUrl }) }) from kern/worker, and a worker (createWorker() or \`kern worker\`) to run what it enqueues.`,
  );
}

/**
 * Rings the queue for a run a call just stored `pending`; a run that is not pending (a lapsed
 * deadline cancelled it instead) needs no worker. Returns what enqueueRun()/enqueueContinue() return.
 */
export async function ringQueue(
  queue: RunQueue,
  owner: { kind: RunKind; ownerId: string },
  run: { runId: string; sessionId: string; status: RunStatus },
): Promise<EnqueuedRun> {
  const { runId, sessionId, status } = run;
  if (status === "pending") await queue.send({ kind: owner.kind, ownerId: owner.ownerId, runId, sessionId });
  return { runId, sessionId, status };
}
