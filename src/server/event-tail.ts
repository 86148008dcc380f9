import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { Db, RunEventRecord, RunKind } from "../db/index.js";
import { watchRunEvents } from "../runs/index.js";
import { errorResponse } from "./http-errors.js";

/** The events that end one leg of a run (its pause, its end), by kind of run. */
const LEG_ENDS: Readonly<Record<RunKind, ReadonlySet<string>>> = {
  workflow: new Set([
    "WorkflowCompleted",
    "WorkflowCancelled",
    "WorkflowError",
    "StepPaused",
    "StepExecutorPaused",
    "StepOutputReview",
    "RouterPaused",
  ]),
  agent: new Set(["RunPaused", "RunCompleted", "RunCancelled", "RunError"]),
};

const PAGE = 500;
/** How long a reader waits for a run's last events once the run is no longer executing. */
const SETTLE_MS = 2000;

/** Which run's events to follow, from where, and how often to look for events stored elsewhere. */
export interface EventTail {
  db: Db;
  kind: RunKind;
  runId: string;
  /** Send the events numbered above this one. */
  after: number;
  /** How often to read the store when no event of this process wakes the reader (ms). */
  pollMs: number;
  /** The call executing the run in this process, if any: a refusal before any event is the answer. */
  running?: Promise<unknown>;
}

/** One stored event as the API returns it: its number, name and the event itself. */
export function eventJson(record: RunEventRecord): { seq: number; event: string; data: unknown } {
  return { seq: record.seq, event: record.event, data: JSON.parse(record.data) as unknown };
}

/** The number a reconnecting EventSource sends (`Last-Event-ID`), else `after` from the query, else 0. */
export function startingAfter(c: Context, after: number | undefined): number {
  const header = c.req.header("last-event-id");
  if (header !== undefined && /^\d{1,15}$/.test(header)) return Number(header);
  return after ?? 0;
}

async function isExecuting(tail: EventTail): Promise<boolean> {
  const record = await tail.db.getRun(tail.kind, tail.runId);
  return record !== null && (record.status === "running" || record.status === "pending");
}

/** Resolves when this process stores events of the run, or after `ms`. */
function nextWake(tail: EventTail, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const stop = watchRunEvents(tail.kind, tail.runId, () => done());
    const timer = setTimeout(() => done(), ms);
    function done(): void {
      clearTimeout(timer);
      stop();
      resolve();
    }
  });
}

/** Waits for the first event after `after`, or for the in-process call to fail first (then throws its error). */
async function firstEvents(tail: EventTail): Promise<void> {
  if (tail.running === undefined) return;
  let failure: { error: unknown } | null = null;
  let settled = false;
  tail.running.then(
    () => {
      settled = true;
    },
    (error: unknown) => {
      settled = true;
      failure = { error };
    },
  );
  for (;;) {
    const page = await tail.db.listRunEvents({ kind: tail.kind, runId: tail.runId, after: tail.after, limit: 1 });
    if (page.length > 0) return;
    if (settled) {
      if (failure !== null) throw (failure as { error: unknown }).error;
      return;
    }
    await Promise.race([nextWake(tail, tail.pollMs), tail.running.catch(() => undefined)]);
  }
}

/**
 * Answers with Server-Sent Events read from the store: `id: <seq>`, `event: <name>`,
 * `data: <json>`, every event numbered above `after` exactly once and in order, whichever process
 * executes the run, until the run's current leg ends (its pause or its end) and it is no longer
 * executing. A client that reconnects (to any replica) with `Last-Event-ID` goes on from there.
 */
export async function tailResponse(c: Context, tail: EventTail): Promise<Response> {
  await firstEvents(tail);
  return streamSSE(c, async (sse) => {
    let after = tail.after;
    let legEnded = false;
    let quietSince = Date.now();
    while (!sse.aborted) {
      const page = await tail.db.listRunEvents({ kind: tail.kind, runId: tail.runId, after, limit: PAGE });
      for (const record of page) {
        if (sse.aborted) return;
        await sse.writeSSE({ id: String(record.seq), event: record.event, data: record.data });
        after = record.seq;
        legEnded = LEG_ENDS[tail.kind].has(record.event);
        quietSince = Date.now();
      }
      if (page.length === PAGE) continue;
      const executing = await isExecuting(tail);
      if (!executing && (legEnded || Date.now() - quietSince >= SETTLE_MS)) break;
      await nextWake(tail, tail.pollMs);
    }
    const failure = await tail.running?.then(
      () => null,
      (error: unknown) => error,
    );
    if (failure !== null && failure !== undefined && !legEnded && !sse.aborted)
      await sse.writeSSE({ event: "error", data: JSON.stringify(errorResponse(failure).body) });
  });
}
