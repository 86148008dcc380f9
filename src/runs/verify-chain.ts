import type { Db, DecisionRecord, RunKind } from "../db/index.js";
import { RunNotFoundError } from "../errors.js";
import { decodeAgentRunState } from "./agent-run-codec.js";
import { type ChainVerdict, verifyEntries } from "./audit.js";
import { parseStateText } from "./codec.js";
import { decodeWorkflowRunState } from "./workflow-run-codec.js";

const PAGE = 1000;

/** Every entry the decisions table holds for one run. */
async function entriesOf(db: Db, kind: RunKind, runId: string): Promise<DecisionRecord[]> {
  const entries: DecisionRecord[] = [];
  for (;;) {
    const last = entries.at(-1);
    const after = last === undefined ? undefined : { decidedAt: last.decidedAt, kind, runId, seq: last.seq };
    const page = await db.listDecisions({ kind, runId, limit: PAGE, ...(after === undefined ? {} : { after }) });
    entries.push(...page);
    if (page.length < PAGE) return entries;
  }
}

/**
 * Checks that the decisions table still holds exactly what kern wrote for a run: every entry
 * unchanged, none missing, inserted or reordered, the last one where the run's state says the
 * chain ends. Throws RunNotFoundError for an unknown run.
 *
 * @example
 * const verdict = await verifyDecisionChain(db, { kind: "workflow", runId });
 * if (!verdict.ok) console.error(`decisions of ${runId} were tampered with: ${verdict.problem}`);
 */
export async function verifyDecisionChain(db: Db, ref: { kind: RunKind; runId: string }): Promise<ChainVerdict> {
  const record = await db.getRun(ref.kind, ref.runId);
  if (record === null) throw new RunNotFoundError(ref.runId, null);
  const json = parseStateText(record.state, ref.kind === "agent" ? "agent run" : "workflow run");
  const state = ref.kind === "agent" ? decodeAgentRunState(json) : decodeWorkflowRunState(json);
  return verifyEntries(await entriesOf(db, ref.kind, ref.runId), state);
}
