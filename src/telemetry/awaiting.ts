import type { DecisionRecord } from "../db/index.js";
import { recordDecisionLatency, startSpan, type TraceSpan } from "./spans.js";

/** When and under which span a requirement paused its run (null before it was recorded). */
interface Paused {
  pausedAt: number | null;
  trace: string | null;
}

function decisionType(decision: string): string {
  try {
    const parsed: unknown = JSON.parse(decision);
    const type = typeof parsed === "object" && parsed !== null ? (parsed as { type?: unknown }).type : undefined;
    return typeof type === "string" ? type : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Records when the requirements of a pause paused: `now`, under `span`. Only the current pause's
 * requirements (not frozen, not stamped yet) are stamped, in the state stored with the pause.
 */
export function stampPause(requirements: Iterable<Paused & { frozen: boolean }>, now: number, span: TraceSpan): void {
  const trace = span.traceparent();
  for (const requirement of requirements) {
    if (requirement.frozen || requirement.pausedAt !== null) continue;
    requirement.pausedAt = now;
    requirement.trace = trace;
  }
}

/**
 * One "awaiting human" span per decision a continue applied: from the pause to now, in this
 * process, under `parent` and linked to the span that paused (whichever process that was), with
 * who decided and what; and the wait recorded in the `kern.decision.latency` histogram.
 */
export function recordDecisions(
  entries: readonly DecisionRecord[],
  pausedOf: (requirementId: string) => Paused | undefined,
  parent: TraceSpan,
): void {
  for (const entry of entries) {
    const paused = pausedOf(entry.requirementId);
    if (paused === undefined || paused.pausedAt === null) continue;
    const attributes = {
      "kern.run.kind": entry.kind,
      "kern.run.id": entry.runId,
      "kern.requirement.id": entry.requirementId,
      "kern.gate.kind": entry.gateKind,
      // The decision's type only: its values (input, notes) may be personal data.
      "kern.decision.type": decisionType(entry.decision),
      "kern.decided_by": entry.actorId,
      "kern.decision.automatic": entry.automatic,
    };
    const span = startSpan("kern.awaiting_human", attributes, parent, {
      startTime: paused.pausedAt,
      links: paused.trace === null ? [] : [paused.trace],
    });
    span.end();
    recordDecisionLatency(Math.max(0, entry.decidedAt - paused.pausedAt) / 1000, {
      "kern.gate.kind": entry.gateKind,
      "kern.run.kind": entry.kind,
    });
  }
}
