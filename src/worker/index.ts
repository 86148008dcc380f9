/**
 * `kern/worker`: background runs on a PostgreSQL job queue. pg-boss (10.x) and pg are loaded only
 * by this subpath; install them next to kern to use it (`npm install pg-boss@10 pg`).
 */
export type { EnqueuedRun, QueuedRunOutcome, RunJob, RunQueue, SkipReason } from "../runs/index.js";
export { PgBossQueue, type PgBossQueueOptions } from "./pg-boss-queue.js";
export type { JobHandler, WorkQueue } from "./work-queue.js";
export { createWorker, type KernWorker, type WorkerOptions, type WorkerStopReport } from "./worker.js";
