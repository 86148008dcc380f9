import type { DecisionRecord, GrantRecord } from "../db/index.js";
import { ModelError } from "../errors.js";
import type { ModelToolCall } from "../models/index.js";
import type { AgentRunState, RequirementState, ToolExecutionState, ToolPolicy } from "../runs/index.js";
import {
  AGENT_REQUIREMENT_DEFAULTS,
  editedArgsNote,
  jsonDataProblem,
  newId,
  startDeadline,
  useEditedArgs,
} from "../runs/index.js";
import { startSpan, type TraceSpan } from "../telemetry/index.js";
import type { Tool, ToolContext } from "../tools/index.js";
import { applyLapsedDeadline } from "./deadlines.js";
import { holdIfChanged, pinDefinition } from "./definition-pin.js";
import type { AgentEventListener } from "./events.js";
import { applyGrant, applyPolicy } from "./tool-policy.js";

/** What the tool-running code needs from the agent, the claim and the current call. */
export interface BatchContext {
  agentName: string;
  provider: string;
  tools: ReadonlyMap<string, Tool>;
  /** Aborts when the caller cancels or the claim is lost. */
  signal: AbortSignal | undefined;
  emit: AgentEventListener | undefined;
  /**
   * Stores the run as it is now (a fenced checkpoint). Called with a call marked `running` before
   * the call starts, so a crash can never make a started call look unstarted.
   */
  checkpoint(): Promise<void>;
  /** Notes a change (a stored result) that must be stored before the next side effect or model call. */
  markDirty(): void;
  /** The run's span in this process: model and tool calls nest under it. */
  span: TraceSpan;
  /** The agent's `policy`, for tools without their own. */
  agentPolicy: ToolPolicy | undefined;
  /** Stores audit entries (a policy's decisions) with the run's next write. */
  recordDecisions(entries: readonly DecisionRecord[]): void;
  /** The clock of gate deadlines (AgentOptions.now). */
  now(): number;
  /** The active grant that approves a gated call of this tool with these arguments, or null. */
  findGrant?(toolName: string, args: Readonly<Record<string, unknown>>): Promise<GrantRecord | null>;
}

function toolContext(state: AgentRunState, toolCallId: string, context: BatchContext): ToolContext {
  return {
    runId: state.runId,
    sessionId: state.sessionId,
    toolCallId,
    agentName: context.agentName,
    signal: context.signal,
  };
}

/** Runs one call marked `running` (stored so) and records its outcome; a tool that throws sends its error to the model. */
async function execute(state: AgentRunState, execution: ToolExecutionState, context: BatchContext): Promise<void> {
  const tool = context.tools.get(execution.toolName);
  const { runId } = state;
  const { agentName } = context;
  const { toolCallId, toolName, toolArgs } = execution;
  context.emit?.({ event: "ToolCallStarted", runId, agentName, toolCallId, toolName, toolArgs });
  const span = startSpan(
    `execute_tool ${toolName}`,
    { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": toolName, "gen_ai.tool.call.id": toolCallId },
    context.span,
  );
  try {
    if (tool === undefined) throw new Error(`Tool '${execution.toolName}' is no longer defined on this agent.`);
    const args = execution.toolArgs;
    execution.result = await span.run(() => tool.run(args, toolContext(state, toolCallId, context)));
    span.end();
  } catch (error) {
    execution.error = error instanceof Error ? error.message : String(error);
    span.end(error);
  }
  execution.phase = "done";
  context.markDirty();
  context.emit?.({
    event: "ToolCallCompleted",
    runId,
    agentName,
    toolCallId,
    toolName,
    result: execution.result,
    error: execution.error,
  });
}

function parseArguments(call: ModelToolCall, context: BatchContext): unknown {
  try {
    return call.arguments.trim() === "" ? {} : (JSON.parse(call.arguments) as unknown);
  } catch (error) {
    throw new ModelError(
      `The model sent malformed JSON arguments for tool '${call.name}' (call ${call.id}): ${call.arguments.slice(0, 200)}`,
      { provider: context.provider, cause: error },
    );
  }
}

function newExecution(call: ModelToolCall, args: Record<string, unknown>, tool: Tool | undefined): ToolExecutionState {
  return {
    toolCallId: call.id,
    toolName: call.name,
    toolArgs: args,
    phase: "queued",
    result: null,
    error: null,
    gate: tool?.gate ?? "none",
    userInputSchema: tool?.userInputJsonSchema() ?? null,
    origin: tool?.origin ?? null,
    definitionDigest: null,
    editableArgs: tool?.editableArgs ?? false,
    proposedArgs: null,
  };
}

/** Turns one model tool call into its execution (and its requirement when gated, pinned to its tool's definition). */
async function recordCall(
  state: AgentRunState,
  call: ModelToolCall,
  raw: unknown,
  context: BatchContext,
): Promise<void> {
  const tool = context.tools.get(call.name);
  // Arguments a store cannot hold (nested too deeply, say) are refused like invalid ones.
  const problem = jsonDataProblem(raw);
  const checked = problem === null ? tool?.checkArguments(raw) : { ok: false as const, problem };
  const args =
    checked?.ok === true
      ? checked.value
      : problem === null && typeof raw === "object" && raw !== null
        ? (raw as Record<string, unknown>)
        : {};
  const execution = newExecution(call, args, tool);
  state.tools.push(execution);
  if (tool === undefined) {
    execution.phase = "done";
    execution.error = `Tool '${call.name}' does not exist; available tools: ${[...context.tools.keys()].join(", ") || "none"}.`;
  } else if (checked?.ok === false) {
    execution.phase = "done";
    execution.error = `Invalid arguments for tool '${call.name}': ${checked.problem}`;
  } else if (tool.gate !== "none") {
    const unpinned = await pinDefinition(execution, tool);
    if (unpinned !== null) {
      execution.phase = "done";
      execution.error = unpinned;
      return;
    }
    execution.phase = "awaiting";
    const requirement: RequirementState = {
      ...AGENT_REQUIREMENT_DEFAULTS,
      id: newId(),
      toolCallId: call.id,
      kind: tool.gate,
      timeout: startDeadline(tool.timeout ?? null, context.now()),
    };
    state.requirements.push(requirement);
    if (!(await applyGrant(state, requirement, execution, context)))
      await applyPolicy(state, requirement, execution, tool, context);
  }
}

/**
 * Records the model's turn (its message, each call, a requirement per gated call) and runs the
 * ungated calls, each stored as started before it starts. Returns true when the run must pause.
 */
export async function startToolBatch(
  state: AgentRunState,
  calls: readonly ModelToolCall[],
  text: string,
  context: BatchContext,
): Promise<boolean> {
  // Every argument is parsed before anything is recorded: a malformed one fails the turn whole.
  const raws = calls.map((call) => parseArguments(call, context));
  state.messages.push({ role: "assistant", content: text, toolCalls: [...calls] });
  state.cursor = { phase: "tools", toolCallIds: calls.map((call) => call.id) };
  for (const [index, call] of calls.entries()) await recordCall(state, call, raws[index], context);
  context.markDirty();
  return runQueued(state, context);
}

/** The execution of a call of the current batch: the latest with its id (a model may reuse ids across turns). */
function executionOf(state: AgentRunState, toolCallId: string): ToolExecutionState | undefined {
  return state.tools.findLast((entry) => entry.toolCallId === toolCallId);
}

/** The executions of the batch the cursor names, in call order. */
function batchOf(state: AgentRunState): ToolExecutionState[] {
  return (state.cursor?.toolCallIds ?? []).flatMap((id) => executionOf(state, id) ?? []);
}

/**
 * Runs the batch's queued calls in call order. Each is marked `running` and stored (with the
 * previous call's result) before it starts; a call already `running` was stored so by the claim.
 * An approved call whose tool's definition changed since its pause waits again instead, stored so
 * before anything else runs. Returns true when a call of the batch waits for a human.
 */
export async function runQueued(state: AgentRunState, context: BatchContext): Promise<boolean> {
  for (const execution of batchOf(state)) {
    const approved = execution.phase === "queued" || execution.phase === "running";
    if (approved && (await holdIfChanged(state, execution, context.tools.get(execution.toolName)))) {
      context.markDirty();
      await context.checkpoint();
      continue;
    }
    if (execution.phase === "queued") {
      execution.phase = "running";
      await context.checkpoint();
    }
    if (execution.phase === "running") await execute(state, execution, context);
  }
  return batchOf(state).some((execution) => execution.phase === "awaiting");
}

function rejectionText(feedback: string | null, recovered: boolean): string {
  const base = recovered
    ? "This tool call may or may not have run before the process running it stopped; the user chose not to run it again."
    : "The user rejected this tool call; it was not executed.";
  return feedback === null || feedback === "" ? base : `${base} Note from the user: ${feedback}`;
}

/** Applies one decided requirement to its call: what runs, what never does. */
function applyDecision(requirement: RequirementState, execution: ToolExecutionState): void {
  const decision = requirement.decision;
  requirement.frozen = true;
  if (decision === null || execution.phase === "done") return;
  switch (decision.type) {
    case "reject":
      execution.phase = "rejected";
      execution.result = rejectionText(decision.feedback, requirement.recovered);
      return;
    case "result":
      execution.phase = "done";
      execution.result = decision.result;
      return;
    case "input":
      execution.toolArgs = { ...execution.toolArgs, ...decision.values };
      execution.phase = "queued";
      return;
    case "confirm":
      useEditedArgs(execution, decision);
      execution.phase = "queued";
      return;
    case "timeout":
      applyLapsedDeadline(requirement, execution);
      return;
    default: {
      const unreachable: never = decision;
      throw new Error(`Unknown decision ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Before the claim: applies the human's decisions to the paused batch and freezes them, and marks
 * the first call to run `running`, so the claim's write records the decisions and that this call
 * may start. A crash after the claim leaves that call uncertain rather than silently runnable.
 */
export function prepareResume(state: AgentRunState): void {
  const pending = new Set(state.cursor?.toolCallIds ?? []);
  for (const requirement of state.requirements) {
    if (!pending.has(requirement.toolCallId) || requirement.frozen) continue;
    const execution = executionOf(state, requirement.toolCallId);
    if (execution !== undefined) applyDecision(requirement, execution);
  }
  const first = batchOf(state).find((execution) => execution.phase === "queued");
  if (first !== undefined) first.phase = "running";
}

/**
 * Appends one tool message per call of the batch, in call order, so the provider never sees a
 * dangling call. Returns the results of tools that end the run (`stopAfterToolCall`), if any.
 */
export function finishToolBatch(state: AgentRunState, tools: ReadonlyMap<string, Tool>): string[] {
  const stopResults: string[] = [];
  for (const execution of batchOf(state)) {
    const outcome = execution.error !== null ? `Error: ${execution.error}` : (execution.result ?? "");
    const content = editedArgsNote(execution) + outcome;
    state.messages.push({ role: "tool", toolCallId: execution.toolCallId, toolName: execution.toolName, content });
    if (
      execution.phase === "done" &&
      execution.error === null &&
      tools.get(execution.toolName)?.stopAfterToolCall === true
    ) {
      stopResults.push(outcome);
    }
  }
  state.cursor = null;
  return stopResults;
}
