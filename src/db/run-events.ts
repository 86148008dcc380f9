import { StoreError } from "../errors.js";
import type { NewRunEvent, RunEventFilter } from "./db.js";
import { checkCount } from "./record-checks.js";

/** Default and most events of one listRunEvents() page, and of one deleteRunEvents() call. */
export const RUN_EVENT_LIMITS = { default: 100, max: 1000 } as const;

/** Checks events before any store appends them: each a name, JSON text and a time. */
export function checkNewEvents(runId: string, events: readonly NewRunEvent[]): void {
  if (typeof runId !== "string" || runId.length === 0)
    throw new StoreError("appendRunEvents() needs the run's id, a non-empty string.");
  for (const [index, event] of events.entries()) {
    const fine =
      typeof event.event === "string" &&
      event.event.length > 0 &&
      typeof event.data === "string" &&
      Number.isSafeInteger(event.createdAt);
    if (!fine)
      throw new StoreError(
        `appendRunEvents() got a malformed event at index ${index}: each needs a non-empty event name, data as JSON text and createdAt in whole milliseconds.`,
      );
  }
}

/** Checks a listRunEvents() filter; returns its limit. */
export function checkEventFilter(filter: RunEventFilter): number {
  checkCount("listRunEvents", "after", filter.after, 0);
  const limit = checkCount("listRunEvents", "limit", filter.limit, RUN_EVENT_LIMITS.default);
  return Math.min(limit, RUN_EVENT_LIMITS.max);
}

/** Checks deleteRunEvents() arguments; returns its limit. */
export function checkEventRetention(createdBefore: number, limit: number | undefined): number {
  checkCount("deleteRunEvents", "createdBefore", createdBefore, 0);
  return Math.min(checkCount("deleteRunEvents", "limit", limit, RUN_EVENT_LIMITS.max), RUN_EVENT_LIMITS.max);
}
