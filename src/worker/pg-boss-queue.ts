import pg from "pg";
import PgBoss from "pg-boss";
import { ConfigurationError } from "../errors.js";
import type { RunJob, RunQueue } from "../runs/index.js";
import { type JobHandler, parseJob, type WorkQueue } from "./work-queue.js";

/** Options of {@link PgBossQueue}. */
export interface PgBossQueueOptions {
  /** The PostgreSQL database the queue's tables live in, e.g. the one kern's PostgresDb uses. */
  dbUrl: string;
  /** The schema pg-boss keeps its tables in (default "kern_queue"); created on first use. */
  schema?: string;
  /** The queue's name (default "kern-runs"): workers of one deployment share it. */
  name?: string;
  /** The most connections pg-boss opens (default 4). */
  maxConnections?: number;
  /**
   * How often an idle consumer looks for a job when no wake-up came, in ms (default 2000, at least
   * 500). Each send also wakes idle workers at once through LISTEN/NOTIFY.
   */
  pollingIntervalMs?: number;
  /** How long a job may stay in hand before pg-boss gives it to another worker (default 3 600 000 ms). */
  jobExpiryMs?: number;
}

const JOB_RETRIES = 3;
const JOB_RETRY_DELAY_SECONDS = 5;
const NAME = /^[A-Za-z0-9_.-]{1,50}$/;

/**
 * A {@link RunQueue} on PostgreSQL through pg-boss (10.x, an optional peer of kern): give it to
 * your Agents and Workflows as `queue`, and to createWorker(). A job is only a doorbell naming a
 * stored run; at most one doorbell per run waits in the queue at a time (pg-boss's "short"
 * policy), so ringing again for a run already waiting adds nothing.
 *
 * @example
 * const queue = new PgBossQueue({ dbUrl: process.env.DATABASE_URL! });
 * const workflow = new Workflow({ name: "Alerts", db, queue, steps });
 */
export class PgBossQueue implements WorkQueue {
  readonly name: string;
  readonly #options: PgBossQueueOptions;
  readonly #channel: string;
  #boss: Promise<PgBoss> | null = null;
  #workers: string[] = [];
  #listener: pg.Client | null = null;
  #closed = false;

  constructor(options: PgBossQueueOptions) {
    if (typeof options?.dbUrl !== "string" || options.dbUrl === "")
      throw new ConfigurationError('PgBossQueue needs a dbUrl, e.g. new PgBossQueue({ dbUrl: "postgres://..." }).');
    const name = options.name ?? "kern-runs";
    if (!NAME.test(name))
      throw new ConfigurationError(`PgBossQueue name must be 1-50 letters, digits, '_', '.' or '-'; got '${name}'.`);
    if (options.pollingIntervalMs !== undefined && !(options.pollingIntervalMs >= 500))
      throw new ConfigurationError("PgBossQueue pollingIntervalMs must be 500 ms or more (pg-boss's least).");
    this.name = name;
    this.#options = options;
    this.#channel = `kern_queue_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
  }

  /** Creates pg-boss's schema and the queue if missing (every other method does this first): fail at start-up, not on the first job. */
  async start(): Promise<void> {
    await this.#start();
  }

  async send(job: RunJob): Promise<void> {
    const boss = await this.#start();
    await boss.send(this.name, { ...job }, { singletonKey: `${job.kind}:${job.runId}` });
    // Wake idle workers now rather than at their next poll.
    await boss.getDb().executeSql("SELECT pg_notify($1, '')", [this.#channel]);
  }

  async work(concurrency: number, handle: JobHandler): Promise<void> {
    const boss = await this.#start();
    const pollingIntervalSeconds = (this.#options.pollingIntervalMs ?? 2000) / 1000;
    for (let index = 0; index < concurrency; index += 1) {
      let id = "";
      id = await boss.work<unknown>(this.name, { batchSize: 1, pollingIntervalSeconds }, async (jobs) => {
        try {
          for (const job of jobs) await handle(parseJob(job.data));
        } finally {
          // Look for the next job at once instead of sleeping out the polling interval.
          boss.notifyWorker(id);
        }
      });
      this.#workers.push(id);
    }
    await this.#listen(boss);
  }

  async stopWork(): Promise<void> {
    const boss = await this.#boss;
    this.#workers = [];
    await this.#listener?.end().catch(() => undefined);
    this.#listener = null;
    await boss?.offWork(this.name);
  }

  /** Stops pg-boss (jobs still in hand stay active until they expire) and closes its connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.stopWork();
    const boss = await this.#boss?.catch(() => null);
    await boss?.stop({ graceful: false, close: true, wait: true });
  }

  #start(): Promise<PgBoss> {
    if (this.#closed) throw new ConfigurationError(`PgBossQueue '${this.name}' was closed; create a new one.`);
    this.#boss ??= this.#create().catch((error: unknown) => {
      this.#boss = null;
      throw error;
    });
    return this.#boss;
  }

  async #create(): Promise<PgBoss> {
    const options = this.#options;
    const boss = new PgBoss({
      connectionString: options.dbUrl,
      schema: options.schema ?? "kern_queue",
      max: options.maxConnections ?? 4,
      schedule: false,
    });
    // pg-boss reports background failures (maintenance, a poll) as events; an unheard one would crash.
    boss.on("error", () => undefined);
    await boss.start();
    await boss.createQueue(this.name, {
      name: this.name,
      policy: "short",
      retryLimit: JOB_RETRIES,
      retryDelay: JOB_RETRY_DELAY_SECONDS,
      expireInSeconds: Math.ceil((options.jobExpiryMs ?? 3_600_000) / 1000),
    });
    return boss;
  }

  /** A connection of its own that LISTENs for sends and wakes this process's idle consumers. */
  async #listen(boss: PgBoss): Promise<void> {
    const client = new pg.Client({ connectionString: this.#options.dbUrl });
    client.on("error", () => {
      // Polling goes on without wake-ups; try to listen again shortly.
      if (this.#listener === client) this.#listener = null;
      setTimeout(() => {
        if (this.#listener === null && this.#workers.length > 0 && !this.#closed)
          void this.#listen(boss).catch(() => undefined);
      }, 1000).unref();
    });
    client.on("notification", () => {
      for (const id of this.#workers) boss.notifyWorker(id);
    });
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(this.#channel)}`);
    this.#listener = client;
  }
}

/** True when `queue` can also be worked (createWorker needs that), not only sent to. */
export function isWorkQueue(queue: RunQueue | undefined): queue is WorkQueue {
  return (
    queue !== undefined &&
    typeof (queue as Partial<WorkQueue>).work === "function" &&
    typeof (queue as Partial<WorkQueue>).stopWork === "function"
  );
}
