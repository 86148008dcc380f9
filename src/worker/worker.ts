import type { Agent } from "../agent/index.js";
import type { Db } from "../db/index.js";
import { ConfigurationError } from "../errors.js";
import type { QueuedRunOutcome, RunJob } from "../runs/index.js";
import type { Workflow } from "../workflow/index.js";
import { type Maintenance, maintain } from "./maintenance.js";
import { isWorkQueue } from "./pg-boss-queue.js";
import type { WorkQueue } from "./work-queue.js";

/** Options of {@link createWorker}. */
export interface WorkerOptions {
  /** The store the served workflows and agents keep their runs in (a PostgresDb, shared by every replica). */
  db: Db;
  /** The workflows whose queued runs this worker executes. */
  workflows?: readonly Workflow[];
  /** The agents (served on their own) whose queued runs this worker executes. */
  agents?: readonly Agent[];
  /** How many runs this process executes at once (default 4). */
  concurrency?: number;
  /** The queue to take jobs from (default: the first workflow's or agent's `queue`). */
  queue?: WorkQueue;
  /**
   * How often this worker recovers runs whose holder died (and rings for those that need no
   * person), rings again for runs left `pending` too long, and applies event retention, in ms
   * (default 10 000; 0 turns it off).
   */
  maintenanceIntervalMs?: number;
  /** A `pending` run this old with no worker on it gets a new doorbell (default 60 000 ms). */
  lostJobAfterMs?: number;
  /** Stored run events older than this are deleted (each run's last one kept); default 7 days, 0 keeps them. */
  eventRetentionMs?: number;
  /** Where the worker reports what it did and what failed (default console.warn). */
  log?: (line: string) => void;
}

/** What stop() found. */
export interface WorkerStopReport {
  /** Runs whose drive finished before the deadline. */
  finished: number;
  /** Runs still executing at the deadline: left with their lease, recovered by another worker once it lapses. */
  abandoned: Array<{ kind: RunJob["kind"]; runId: string }>;
}

export interface KernWorker {
  /** Starts taking jobs and the maintenance pass. */
  start(): Promise<void>;
  /**
   * Stops taking jobs, waits up to `deadlineMs` (default 30 000) for the runs in hand to pause or
   * end, then closes the queue. A run still executing then keeps its lease and is taken over
   * once it lapses (the process should exit, as `kern worker` does).
   */
  stop(options?: { deadlineMs?: number }): Promise<WorkerStopReport>;
  /** Runs executing now. */
  readonly inFlight: number;
  /** Jobs handled so far, by outcome. */
  readonly handled: Readonly<Record<QueuedRunOutcome["action"], number>>;
}

interface Owner {
  processQueuedRun(job: { runId: string; sessionId: string }): Promise<QueuedRunOutcome>;
}

function ownersOf(options: WorkerOptions): Map<string, Owner> {
  const owners = new Map<string, Owner>();
  for (const [kind, list] of [
    ["workflow", options.workflows ?? []],
    ["agent", options.agents ?? []],
  ] as const) {
    for (const owner of list) {
      const key = `${kind}:${owner.id}`;
      if (owners.has(key))
        throw new ConfigurationError(
          `createWorker() was given two ${kind}s with id '${owner.id}'; give each a unique id.`,
        );
      owners.set(key, owner);
    }
  }
  if (owners.size === 0)
    throw new ConfigurationError(
      "createWorker() needs at least one workflow or agent, e.g. createWorker({ db, workflows: [workflow] }).",
    );
  return owners;
}

function queueOf(options: WorkerOptions): WorkQueue {
  const queue =
    options.queue ?? [...(options.workflows ?? []), ...(options.agents ?? [])].find((owner) => owner.queue)?.queue;
  if (!isWorkQueue(queue))
    throw new ConfigurationError(
      "createWorker() needs a queue it can take jobs from: give your workflows and agents `queue: new PgBossQueue({ dbUrl })`, or pass it as createWorker({ queue }).",
    );
  return queue;
}

/**
 * A worker process's engine: takes queued starts and continues from the queue and executes them
 * under kern's usual claim and lease, `concurrency` at a time. Jobs are doorbells: the stored run
 * says what to do, so a job delivered twice, late or after the run moved on does nothing harmful.
 * A maintenance pass recovers runs whose worker died and rings again for any run whose doorbell
 * was lost. Run as many workers, on as many machines, as the database sustains.
 *
 * @example
 * const worker = createWorker({ db, workflows: [workflow], concurrency: 8 });
 * await worker.start();
 * process.once("SIGTERM", async () => { await worker.stop({ deadlineMs: 20_000 }); process.exit(0); });
 */
export function createWorker(options: WorkerOptions): KernWorker {
  const owners = ownersOf(options);
  const queue = queueOf(options);
  const concurrency = options.concurrency ?? 4;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1)
    throw new ConfigurationError(`createWorker() concurrency must be a whole number of 1 or more; got ${concurrency}.`);
  const log = options.log ?? ((line: string) => console.warn(line));
  const inFlight = new Map<Promise<void>, RunJob>();
  const handled = { ran: 0, skipped: 0 };
  let stopping = false;
  let maintenance: Maintenance | null = null;

  async function handle(job: RunJob): Promise<void> {
    const owner = owners.get(`${job.kind}:${job.ownerId}`);
    if (owner === undefined) {
      log(
        `kern/worker: a job for ${job.kind} '${job.ownerId}', which this worker does not serve; left for one that does.`,
      );
      throw new ConfigurationError(`This worker serves no ${job.kind} '${job.ownerId}'.`);
    }
    const work = owner.processQueuedRun(job).then((outcome) => {
      handled[outcome.action] += 1;
    });
    const tracked = work.catch(() => undefined);
    inFlight.set(tracked, job);
    try {
      await work;
    } catch (error) {
      log(
        `kern/worker: ${job.kind} run '${job.runId}' failed in the store (${describe(error)}); recovery takes it over once its lease lapses.`,
      );
      throw error;
    } finally {
      inFlight.delete(tracked);
    }
  }

  return {
    async start() {
      if (stopping) throw new ConfigurationError("This worker was stopped; create a new one with createWorker().");
      await queue.work(concurrency, handle);
      maintenance = maintain({
        ...options,
        owners: [...(options.workflows ?? []), ...(options.agents ?? [])],
        queue,
        log,
      });
    },
    async stop({ deadlineMs = 30_000 } = {}) {
      stopping = true;
      await queue.stopWork();
      await maintenance?.stop();
      const running = [...inFlight.keys()];
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deadlineMs);
      });
      await Promise.race([Promise.all(running), deadline]);
      clearTimeout(timer);
      const abandoned = [...inFlight.values()].map((job) => ({ kind: job.kind, runId: job.runId }));
      await queue.close().catch((error: unknown) => log(`kern/worker: closing the queue failed: ${describe(error)}`));
      return { finished: running.length - abandoned.length, abandoned };
    },
    get inFlight() {
      return inFlight.size;
    },
    get handled() {
      return { ...handled };
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
