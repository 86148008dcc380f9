import type { OutboxEventType, RunKind } from "../db/index.js";

/** What an event reports: a new pause, a decision, a deadline's decision, an escalation. */
export type ChannelEventType = OutboxEventType;

/**
 * One event, as every channel receives it: a view of what the store holds (a pending
 * requirement, a decisions-table entry), never a second source of truth. Read the run itself
 * (`GET /api/workflows/:id/runs/:runId`) for anything more.
 */
export interface ChannelEvent {
  /** The idempotency key: kind, run id, requirement id and type (an escalation adds its level). */
  id: string;
  type: ChannelEventType;
  /** When it happened (ISO 8601): the pause was stored, or the decision made. */
  createdAt: string;
  run: { kind: RunKind; id: string; sessionId: string; ownerId: string };
  requirementId: string;
  /**
   * A pause: `{ requirementKind, summary }`. A decision, timeout or escalation: the decisions-table
   * entry, `{ seq, gateKind, decision, actorId, actorRoles, automatic, decidedAt, linkId }`.
   */
  data: Record<string, unknown>;
  /** 1 on the first delivery attempt, then one up per retry. */
  attempt: number;
}

/**
 * Somewhere events go: a webhook, or one you write (email, Teams, Slack) without touching the
 * core. `deliver` resolves once the event is taken and throws to have it retried later with
 * backoff; it may be called again with the same `event.id` after a crash, so dedupe on it.
 *
 * @example
 * const slack: Channel = {
 *   name: "slack",
 *   events: ["requirement.paused"],
 *   async deliver(event) {
 *     const response = await fetch(slackHookUrl, { method: "POST", body: JSON.stringify({ text: String(event.data["summary"]) }) });
 *     if (!response.ok) throw new Error(`Slack answered ${response.status}`);
 *   },
 * };
 */
export interface Channel {
  /** Unique among the dispatcher's channels; stored with each event it took. */
  readonly name: string;
  /** The event types it wants (default all); others count as taken. */
  readonly events?: readonly ChannelEventType[];
  deliver(event: ChannelEvent): Promise<void>;
}
