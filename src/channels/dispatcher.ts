import { randomUUID } from "node:crypto";
import type { Db, OutboxEntry, OutboxOutcome } from "../db/index.js";
import { ConfigurationError } from "../errors.js";
import type { Channel, ChannelEvent } from "./channel.js";
import { type WebhookOptions, webhookChannel } from "./webhook.js";

/** Retry waits: `initialMs` after the first failure, doubling per attempt up to `maxMs`. */
export interface Backoff {
  /** Default 1 000 ms. */
  initialMs?: number;
  /** Default 3 600 000 ms (one hour). */
  maxMs?: number;
}

export interface DispatcherOptions {
  /** The store whose outbox is delivered: the same one your workflows and agents write. */
  db: Db;
  channels: readonly Channel[];
  /** How often to look for due events (default 1 000 ms). */
  intervalMs?: number;
  /** How long a claim holds events; another dispatcher takes them over after it (default 60 000 ms). */
  leaseMs?: number;
  /** Events claimed per pass (default 20). */
  batchSize?: number;
  backoff?: Backoff;
  /**
   * How long delivered events are kept before a dispatcher deletes them (default 7 days; null keeps
   * them forever). A pause event stays while its run may still pause on it (see Db.pruneOutbox).
   * Pruning runs at most once an hour per dispatcher.
   */
  retainDeliveredMs?: number | null;
  /** The clock (ms since epoch), for tests. */
  now?: () => number;
  /** Where failed deliveries and passes are reported (default console.warn). */
  log?: (line: string) => void;
}

export interface Dispatcher {
  /** One pass: claims due events and delivers them; resolves with how many were fully delivered and how many will be retried. */
  runOnce(): Promise<{ delivered: number; retried: number }>;
  /** Stops the loop and waits for the pass in flight. Undelivered events stay in the outbox for the next dispatcher. */
  stop(): Promise<void>;
}

/**
 * Delivers the Db's outbox to channels, in a loop, until `stop()`. Any number of dispatchers, in
 * one process or many, may share a Db: each event is claimed by one at a time (a lease), and a
 * channel that took an event (a webhook that answered 2xx) is not sent it again.
 *
 * @example
 * const dispatcher = startDispatcher({ db, channels: [webhookChannel({ url, secret })] });
 * process.on("SIGTERM", () => void dispatcher.stop());
 */
export function startDispatcher(options: DispatcherOptions): Dispatcher {
  const pass = dispatcherPass(options);
  const intervalMs = checkMs("intervalMs", options.intervalMs, 1_000);
  const log = options.log ?? ((line: string) => console.warn(line));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const loop = (): void => {
    running = pass()
      .catch((error: unknown) => log(`kern/channels: a dispatch pass failed: ${String(error)}`))
      .then(() => {
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
  };
  loop();
  return {
    runOnce: pass,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** {@link startDispatcher} with one {@link webhookChannel} per webhook. */
export function dispatchWebhooks(
  options: Omit<DispatcherOptions, "channels"> & { webhooks: readonly WebhookOptions[] },
): Dispatcher {
  const { webhooks, ...rest } = options;
  return startDispatcher({ ...rest, channels: webhooks.map(webhookChannel) });
}

/** Throws ConfigurationError for options a dispatcher would refuse, without starting one. */
export function checkDispatcher(options: Omit<DispatcherOptions, "db">) {
  const { channels } = options;
  const names = new Set(channels.map((channel) => channel.name));
  if (channels.length === 0 || names.size !== channels.length)
    throw new ConfigurationError(
      "A dispatcher needs one or more channels, each with its own name (a webhook's defaults to its url).",
    );
  checkMs("intervalMs", options.intervalMs, 1_000);
  return {
    leaseMs: checkMs("leaseMs", options.leaseMs, 60_000),
    limit: checkMs("batchSize", options.batchSize, 20),
    initialMs: checkMs("backoff.initialMs", options.backoff?.initialMs, 1_000),
    maxMs: checkMs("backoff.maxMs", options.backoff?.maxMs, 3_600_000),
    retainMs:
      options.retainDeliveredMs === null ? null : checkMs("retainDeliveredMs", options.retainDeliveredMs, WEEK_MS),
  };
}

const WEEK_MS = 7 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;

/** Deletes delivered events older than `retainMs`, a page at a time, at most once per PRUNE_EVERY_MS. */
function pruner(db: Db, retainMs: number | null, now: () => number): () => Promise<void> {
  let last = Number.NEGATIVE_INFINITY;
  return async () => {
    if (retainMs === null || now() - last < PRUNE_EVERY_MS) return;
    last = now();
    const limit = 1000;
    while ((await db.pruneOutbox({ deliveredBefore: now() - retainMs, limit })) === limit);
  };
}

function dispatcherPass(options: DispatcherOptions): () => Promise<{ delivered: number; retried: number }> {
  const { db, channels } = options;
  const { leaseMs, limit, initialMs, maxMs, retainMs } = checkDispatcher(options);
  const now = options.now ?? Date.now;
  const prune = pruner(db, retainMs, now);
  const log = options.log ?? ((line: string) => console.warn(line));
  return async () => {
    const token = randomUUID();
    const entries = await db.claimOutbox({ token, now: now(), leaseMs, limit });
    let delivered = 0;
    let retried = 0;
    for (const entry of entries) {
      // Past half its lease a claim is left to lapse, so that no other dispatcher can take an event being sent.
      if (entry.leaseExpiresAt !== null && now() > entry.leaseExpiresAt - leaseMs / 2) break;
      const outcome = await deliverEntry(entry, channels, now, log);
      if (outcome.deliveredAt === null) {
        const wait = Math.min(maxMs, initialMs * 2 ** (outcome.attempts - 1));
        outcome.nextAttemptAt = now() + wait;
        retried += 1;
      } else {
        delivered += 1;
      }
      if (!(await db.settleOutbox(entry.key, token, outcome)))
        log(
          `kern/channels: the claim on event ${entry.key} lapsed before its outcome was stored; it may be sent again.`,
        );
    }
    await prune();
    return { delivered, retried };
  };
}

/** Sends the entry to every channel that wants it and has not taken it yet. */
async function deliverEntry(
  entry: OutboxEntry,
  channels: readonly Channel[],
  now: () => number,
  log: (line: string) => void,
): Promise<OutboxOutcome> {
  const event = eventOf(entry);
  const deliveredTo = [...entry.deliveredTo];
  const errors: string[] = [];
  for (const channel of channels) {
    if (deliveredTo.includes(channel.name)) continue;
    if (channel.events !== undefined && !channel.events.includes(event.type)) {
      deliveredTo.push(channel.name);
      continue;
    }
    try {
      await channel.deliver(event);
      deliveredTo.push(channel.name);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push(`${channel.name}: ${message}`);
      log(`kern/channels: event ${entry.key} (attempt ${event.attempt}) was not taken by ${channel.name}: ${message}`);
    }
  }
  const done = errors.length === 0;
  return {
    attempts: event.attempt,
    nextAttemptAt: entry.nextAttemptAt,
    deliveredTo,
    deliveredAt: done ? now() : null,
    lastError: done ? null : errors.join("; "),
  };
}

function eventOf(entry: OutboxEntry): ChannelEvent {
  const data: unknown = JSON.parse(entry.data);
  return {
    id: entry.key,
    type: entry.type,
    createdAt: new Date(entry.createdAt).toISOString(),
    run: { kind: entry.kind, id: entry.runId, sessionId: entry.sessionId, ownerId: entry.ownerId },
    requirementId: entry.requirementId,
    data: typeof data === "object" && data !== null ? { ...data } : {},
    attempt: entry.attempts + 1,
  };
}

function checkMs(name: string, value: number | undefined, fallback: number): number {
  const checked = value ?? fallback;
  if (!Number.isSafeInteger(checked) || checked < 1)
    throw new ConfigurationError(`A dispatcher needs ${name} to be a whole number, 1 or more; got ${String(value)}.`);
  return checked;
}
