import type { Db, DecisionRecord } from "../db/index.js";
import { ClaimLostError, KernError, StoreError } from "../errors.js";
import type { Model } from "../models/index.js";
import type { AnyGatePolicy, ToolPolicy, WriteBatch } from "../runs/index.js";
import {
  type AgentRunState,
  type Claim,
  chainListeners,
  fallbackPolicy,
  findGrant,
  findSite,
  holdWritesIn,
  pausedToolCalls,
  RunEventLog,
  requirementSites,
  runFailure,
} from "../runs/index.js";
import { recordDecisions, stampPause, startSpan, type TraceSpan, traceParent } from "../telemetry/index.js";
import type { Tool } from "../tools/index.js";
import type { AgentEventListener } from "./events.js";
import { driveAgentRun, type LoopContext } from "./run-loop.js";
import type { ContinueOptions } from "./run-options.js";
import { RunOutput } from "./run-output.js";
import { subAgentDriver } from "./sub-agent.js";

/** Per-drive settings: where to store, what to report, how to call the model. */
export interface DriveSettings {
  db: Db;
  signal: AbortSignal | undefined;
  emit: AgentEventListener | undefined;
  stream: boolean;
  /** Where the final save waits for the workflow's save (only when both use the same Db). */
  batch: WriteBatch | undefined;
  /** The span this run's span nests under (a workflow step's), else the active one. */
  parentSpan: TraceSpan | null;
  /** The audit entries of the decisions this continue applied: each gets its "awaiting human" span. */
  decided: readonly DecisionRecord[];
  /** A workflow's default policy, for tool gates without the tool's or the agent's own. */
  fallbackPolicy: AnyGatePolicy | undefined;
}

/** The settings of one drive of a run in `db`, from the options of run(), continueRun() or retryRun(). */
export function driveSettings(
  db: Db,
  options: ContinueOptions,
  decided: readonly DecisionRecord[] = [],
): DriveSettings {
  const batch = options[holdWritesIn]?.db === db ? options[holdWritesIn] : undefined;
  const parentSpan = options[traceParent] ?? null;
  const inherited = options[fallbackPolicy];
  return {
    db,
    signal: options.signal,
    emit: options.onEvent,
    stream: options.stream === true,
    batch,
    parentSpan,
    decided,
    fallbackPolicy: inherited,
  };
}

/** What the loop needs from the agent's definition. */
export interface AgentParts {
  agentName: string;
  model: Model;
  tools: ReadonlyMap<string, Tool>;
  instructions: string | undefined;
  maxTurns: number;
  /** The clock of gate deadlines (AgentOptions.now). */
  now: () => number;
  /** The agent's `policy`, for tools without their own. */
  agentPolicy: ToolPolicy | undefined;
  /** Store the run's events (the agent's `storeEvents`). */
  storeEvents: boolean;
}

/** Stores the run's outcome and lets the claim go, or hands it to the workflow that drives this run. */
async function storeOutcome(settings: DriveSettings, claim: Claim<AgentRunState>): Promise<void> {
  if (settings.batch === undefined) await claim.release();
  else await claim.releaseInto(settings.batch);
}

/** True when the failure is the store's or the claim's: nothing more may be written by this process. */
function isFenceFailure(error: unknown, claim: Claim<AgentRunState>): boolean {
  return error instanceof StoreError || error instanceof ClaimLostError || claim.signal.aborted;
}

function loopContext(
  claim: Claim<AgentRunState>,
  settings: DriveSettings,
  parts: AgentParts,
  span: TraceSpan,
): LoopContext {
  const signals = settings.signal === undefined ? [claim.signal] : [settings.signal, claim.signal];
  return {
    ...parts,
    provider: parts.model.provider,
    signal: signals.length === 1 ? claim.signal : AbortSignal.any(signals),
    emit: settings.emit,
    stream: settings.stream,
    checkpoint: () => claim.checkpoint(),
    markDirty: () => claim.markDirty(),
    flush: () => claim.flush(),
    agentPolicy: parts.agentPolicy ?? settings.fallbackPolicy,
    recordDecisions: (entries) => claim.appendDecisions(entries),
    // A sub-agent's call is looked up among that agent's grants, in the scope of the stored run.
    findGrant: (owner, toolName, args) =>
      findGrant(claim.db, { ...claim.state, agentId: owner.agentId }, toolName, args, parts.now()),
    audit: claim.state,
    subAgents: subAgentDriver,
    span,
  };
}

/** The span of one drive of an agent run (its first leg, or a continue) in this process. */
function runSpan(state: AgentRunState, started: boolean, parent: TraceSpan | null): TraceSpan {
  return startSpan(
    `invoke_agent ${state.agentName}`,
    {
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.agent.name": state.agentName,
      "gen_ai.agent.id": state.agentId,
      "kern.run.id": state.runId,
      "kern.session.id": state.sessionId,
      "kern.run.leg": started ? "start" : "continue",
    },
    parent,
  );
}

/**
 * Runs the loop on a claimed run and stores the outcome. A failure of the store or the claim ends
 * the drive at once, writing nothing more: the run stays as last stored, for recover().
 */
export async function driveClaimedRun(
  claim: Claim<AgentRunState>,
  settings: DriveSettings,
  started: boolean,
  parts: AgentParts,
): Promise<RunOutput> {
  const log = parts.storeEvents ? new RunEventLog(settings.db, "agent", claim.state.runId) : null;
  const emit = log === null ? settings.emit : chainListeners(log.push, settings.emit);
  try {
    return await drive(claim, { ...settings, emit }, started, parts);
  } finally {
    // However the drive ended, this process renews the lease no more (a no-op once released).
    claim.abandon();
    await log?.settle();
  }
}

async function drive(
  claim: Claim<AgentRunState>,
  settings: DriveSettings,
  started: boolean,
  parts: AgentParts,
): Promise<RunOutput> {
  const { state } = claim;
  const { emit } = settings;
  const ids = { runId: state.runId, sessionId: state.sessionId, agentName: state.agentName };
  const span = runSpan(state, started, settings.parentSpan);
  recordDecisions(settings.decided, (id) => findSite(state, id)?.requirement, span);
  emit?.({ event: started ? "RunStarted" : "RunContinued", ...ids });
  try {
    await span.run(() => driveAgentRun(state, loopContext(claim, settings, parts, span)));
    if (state.status === "paused")
      stampPause(
        [...requirementSites(state)].map((site) => site.requirement),
        Date.now(),
        span,
      );
  } catch (error) {
    span.end(error);
    if (isFenceFailure(error, claim)) {
      claim.abandon();
      throw claim.lostError ?? error;
    }
    const failure = runFailure(error);
    state.status = failure.status;
    state.error = failure.error;
    await storeOutcome(settings, claim);
    emit?.(
      failure.status === "cancelled"
        ? { event: "RunCancelled", ...ids, reason: failure.error.message }
        : { event: "RunError", ...ids, error: failure.error },
    );
    if (error instanceof KernError && "runOutput" in error) error.runOutput = new RunOutput(state);
    throw error;
  }
  await storeOutcome(settings, claim);
  span.set({
    "kern.run.status": state.status,
    "gen_ai.usage.input_tokens": state.usage.inputTokens,
    "gen_ai.usage.output_tokens": state.usage.outputTokens,
  });
  span.end();
  emit?.(
    state.status === "paused"
      ? { event: "RunPaused", ...ids, requirements: pausedToolCalls([...requirementSites(state)]) }
      : { event: "RunCompleted", ...ids, content: state.content },
  );
  return new RunOutput(state);
}
