import type { DecisionRecord, GrantRecord } from "../db/index.js";
import { ModelError } from "../errors.js";
import type { ModelToolCall } from "../models/index.js";
import type { AgentRunState, AuditChain, RequirementState, ToolExecutionState, ToolPolicy } from "../runs/index.js";
import { AGENT_REQUIREMENT_DEFAULTS, editedArgsNote, jsonDataProblem, newId, startDeadline } from "../runs/index.js";
import { startSpan, type TraceSpan } from "../telemetry/index.js";
import type { Tool, ToolContext } from "../tools/index.js";
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
  /**
   * The active grant that approves a gated call of this tool with these arguments in `owner` (the
   * run, or a sub-run of an agent it called as a tool), or null.
   */
  findGrant?(
    owner: AgentRunState,
    toolName: string,
    args: Readonly<Record<string, unknown>>,
  ): Promise<GrantRecord | null>;
  /** The run whose decision chain records decisions made while this one runs: the stored run (sub-runs' too). */
  audit: AuditChain & { runId: string };
  /** Use the model's streaming API, reporting text deltas as RunContent events. */
  stream: boolean;
  /** Stores what changed since the last write (tool results), so the model is never called before they are durable. */
  flush(): Promise<void>;
  /** Drives the calls of tools made by `agent.asTool()` (sub-runs); without it such a call fails. */
  subAgents?: SubAgentDriver;
}

/** How the loop runs agents used as tools (sub-agent.ts implements it). */
export interface SubAgentDriver {
  /** Builds the call's sub-run (if it has none) before the call is stored as started. */
  prepare(parent: AgentRunState, execution: ToolExecutionState, tool: Tool): void;
  /** Runs or resumes the sub-run: the call ends `done` (its answer, or the failure), or `awaiting` (it paused). */
  run(
    parent: AgentRunState,
    execution: ToolExecutionState,
    tool: Tool,
    context: BatchContext,
    span: TraceSpan,
  ): Promise<void>;
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
  if (tool?.agent !== undefined && context.subAgents !== undefined) {
    await runSubAgentCall(state, execution, tool, context, { driver: context.subAgents, span });
    return;
  }
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

/** A call of an agent used as a tool: its sub-run runs (or resumes) until it answers or pauses. */
async function runSubAgentCall(
  state: AgentRunState,
  execution: ToolExecutionState,
  tool: Tool,
  context: BatchContext,
  { driver, span }: { driver: SubAgentDriver; span: TraceSpan },
): Promise<void> {
  try {
    await span.run(() => driver.run(state, execution, tool, context, span));
    span.end();
  } catch (error) {
    span.end(error);
    throw error;
  }
  context.markDirty();
  // Paused inside: the call waits, and so does this run.
  if (execution.phase === "awaiting") return;
  const { runId } = state;
  const { toolCallId, toolName, result, error } = execution;
  context.emit?.({
    event: "ToolCallCompleted",
    runId,
    agentName: context.agentName,
    toolCallId,
    toolName,
    result,
    error,
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
    subRun: null,
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
export function executionOf(state: AgentRunState, toolCallId: string): ToolExecutionState | undefined {
  return state.tools.findLast((entry) => entry.toolCallId === toolCallId);
}

/** The executions of the batch the cursor names, in call order. */
export function batchOf(state: AgentRunState): ToolExecutionState[] {
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
      const tool = context.tools.get(execution.toolName);
      if (tool?.agent !== undefined) context.subAgents?.prepare(state, execution, tool);
      execution.phase = "running";
      await context.checkpoint();
    }
    if (execution.phase === "running") await execute(state, execution, context);
  }
  return batchOf(state).some((execution) => execution.phase === "awaiting");
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
