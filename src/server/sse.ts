import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { errorResponse } from "./http-errors.js";

/** What runStream() / continueRunStream() return, for workflows and agents alike. */
export interface EventStream<TEvent extends { event: string }> extends AsyncIterable<TEvent> {
  readonly output: Promise<unknown>;
}

const ERROR_EVENTS = new Set(["WorkflowError", "RunError"]);

/**
 * Answers with Server-Sent Events (`event: <name>`, `data: <json>`), one per run event, ending
 * with the pause or end event. A run refused before it started (not paused, unresolved, claimed
 * elsewhere) throws here instead, so the client gets the usual JSON error and status. A failure
 * the events did not report (e.g. the store failing) is sent last as `event: error`.
 */
export async function sseResponse<TEvent extends { event: string }>(
  c: Context,
  stream: EventStream<TEvent>,
): Promise<Response> {
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) await stream.output;
  return streamSSE(c, async (sse) => {
    let lastEvent = "";
    // The run goes on even if the client leaves: it holds a claim and must store its outcome.
    for (let next = first; next.done !== true; next = await iterator.next()) {
      lastEvent = next.value.event;
      if (!sse.aborted) await sse.writeSSE({ event: lastEvent, data: JSON.stringify(next.value) });
    }
    try {
      await stream.output;
    } catch (error) {
      if (!ERROR_EVENTS.has(lastEvent) && !sse.aborted)
        await sse.writeSSE({ event: "error", data: JSON.stringify(errorResponse(error).body) });
    }
  });
}
