import type { Context } from "hono";
import type { Db, RunKind } from "../db/index.js";
import { ConfigurationError } from "../errors.js";
import type { EnqueuedRun } from "../runs/index.js";
import { eventJson, startingAfter, tailResponse } from "./event-tail.js";
import { readQuery, schemas } from "./request.js";

/** A served workflow or agent, as the background and event endpoints use it. */
export interface LegOwner {
  readonly id: string;
  readonly db: Db;
  readonly queue: unknown;
  readonly storesEvents: boolean;
}

/** Where a run's endpoints live, e.g. "/api/workflows/Alerts". */
function runUrl(base: string, run: { runId: string; sessionId: string }, tail = ""): string {
  return `${base}/runs/${encodeURIComponent(run.runId)}${tail}?sessionId=${encodeURIComponent(run.sessionId)}`;
}

/** Refuses `?background=1` for an owner without a queue, before anything is stored. */
export function checkBackground(kind: RunKind, owner: LegOwner): void {
  if (owner.queue === undefined)
    throw new ConfigurationError(
      `${kind} '${owner.id}' has no queue, so it cannot run in the background; give it \`queue: new PgBossQueue({ dbUrl })\` (kern/worker) and run a worker, or leave out ?background=1.`,
    );
}

/** 202 Accepted: the run waits for a worker; where to read it and its events. */
export function acceptedResponse(c: Context, base: string, enqueued: EnqueuedRun): Response {
  const url = runUrl(base, enqueued);
  c.header("Location", url);
  return c.json({ ...enqueued, url, eventsUrl: runUrl(base, enqueued, "/events") }, 202);
}

/**
 * `GET .../runs/:runId/events?sessionId=&after=`: the run's stored events numbered above `after`
 * (or `Last-Event-ID`), as JSON for a client that polls, or with `stream=1` (or an `Accept:
 * text/event-stream`) as Server-Sent Events that follow the run to the end of its current leg.
 */
export async function eventsResponse(
  c: Context,
  kind: RunKind,
  owner: LegOwner,
  pollMs: number,
  endpoint: string,
): Promise<Response> {
  const query = readQuery(c, schemas.eventsQuery, endpoint);
  if (!owner.storesEvents)
    throw new ConfigurationError(
      `${kind} '${owner.id}' does not store its runs' events; give it \`storeEvents: true\` (or a queue) to read them here.`,
    );
  const runId = c.req.param("runId") ?? "";
  const after = startingAfter(c, query.after);
  const sse =
    query.stream === "1" || query.stream === "true" || /text\/event-stream/.test(c.req.header("accept") ?? "");
  if (sse) return tailResponse(c, { db: owner.db, kind, runId, after, pollMs });
  const records = await owner.db.listRunEvents({ kind, runId, after, limit: query.limit ?? 100 });
  const run = await owner.db.getRun(kind, runId);
  return c.json({
    events: records.map(eventJson),
    next: records.at(-1)?.seq ?? after,
    status: run?.status ?? null,
  });
}

/**
 * `?stream=1` on a start or continue of an owner that stores its events: the call runs in this
 * process, and the answer follows its stored events (with `id:`), so a client cut off mid-run
 * reconnects to any replica with `Last-Event-ID` and misses nothing.
 */
export async function liveResponse(
  c: Context,
  kind: RunKind,
  owner: LegOwner,
  pollMs: number,
  runId: string,
  call: () => Promise<unknown>,
): Promise<Response> {
  const after = await owner.db.lastRunEventSeq(kind, runId);
  const running = call();
  // The answer reports a failure itself; this only keeps it from being unhandled.
  running.catch(() => undefined);
  return tailResponse(c, { db: owner.db, kind, runId, after, pollMs, running });
}
