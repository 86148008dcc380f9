import { ClaimLostError, KernError, StoreError } from "../errors.js";
import { type AgentRunState, addUsage, isAbort, type ToolExecutionState } from "../runs/index.js";
import type { TraceSpan } from "../telemetry/index.js";
import type { Tool } from "../tools/index.js";
import type { AgentParts } from "./agent-drive.js";
import { newAgentRunState } from "./agent-state.js";
import { driveAgentRun, type LoopContext } from "./run-loop.js";
import type { BatchContext, SubAgentDriver } from "./tool-batch.js";

/**
 * Agents as tools. A call of a tool made by `agent.asTool()` runs that agent inside the calling
 * run: its run is kept in the call (`execution.subRun`), checkpointed by the calling run's claim
 * with everything else, and driven by the same loop. When it pauses on a gated call, the call
 * waits (`awaiting`) and so the calling run pauses; a continue of the calling run resumes it where
 * it stopped, so its earlier model calls and tool results are never repeated.
 */

/** The key of an agent's loop parts, for the loop that drives it as a sub-agent (internal). */
export const agentParts: unique symbol = Symbol("kern.agentParts");

/** What the loop needs to drive an agent's run as a sub-run (implemented by Agent). */
export interface SubAgent {
  readonly id: string;
  readonly name: string;
  readonly fingerprint: string;
  [agentParts](): AgentParts;
}

function subAgentOf(tool: Tool): SubAgent {
  const agent = tool.agent as SubAgent | undefined;
  if (agent === undefined) throw new Error(`kern internal error: tool '${tool.name}' runs no agent.`);
  return agent;
}

/** The task the calling model gave the sub-agent: its `input` argument. */
function taskOf(execution: ToolExecutionState): string {
  const input = execution.toolArgs["input"];
  return typeof input === "string" ? input : JSON.stringify(execution.toolArgs);
}

/**
 * Builds the sub-run of a call about to start, so the checkpoint that stores the call as started
 * stores its sub-run too: after a crash, recover() resumes that run rather than asking whether
 * the call ran.
 */
function prepare(parent: AgentRunState, execution: ToolExecutionState, tool: Tool): void {
  if (execution.subRun !== null) return;
  execution.subRun = newAgentRunState(subAgentOf(tool), taskOf(execution), {
    sessionId: parent.sessionId,
    userId: parent.userId,
    parentRunId: parent.runId,
  });
}

/** The loop of a sub-run: the sub-agent's model, tools and instructions, the calling run's claim and events. */
function subLoop(parts: AgentParts, context: BatchContext, span: TraceSpan): LoopContext {
  return {
    ...context,
    agentName: parts.agentName,
    provider: parts.model.provider,
    tools: parts.tools,
    model: parts.model,
    instructions: parts.instructions,
    maxTurns: parts.maxTurns,
    now: parts.now,
    // A sub-agent's tools without a policy of their own follow its policy, else its caller's.
    agentPolicy: parts.agentPolicy ?? context.agentPolicy,
    span,
  };
}

/** True when the failure is the store's, the claim's or a cancellation: the whole drive stops. */
function stopsTheRun(error: unknown, context: BatchContext): boolean {
  return (
    error instanceof StoreError || error instanceof ClaimLostError || isAbort(error) || context.signal?.aborted === true
  );
}

/**
 * Runs (or resumes) the call's sub-run until it completes or pauses. Completed: its answer is the
 * call's result. Paused: the call waits. A failure of the sub-agent (its model, its turn limit) is
 * the call's error, which the calling model is told, like any tool's; the claim's and the store's
 * failures end the whole drive.
 */
async function run(
  parent: AgentRunState,
  execution: ToolExecutionState,
  tool: Tool,
  context: BatchContext,
  span: TraceSpan,
): Promise<void> {
  prepare(parent, execution, tool);
  const sub = execution.subRun;
  if (sub === null) return;
  const agent = subAgentOf(tool);
  const before = sub.usage;
  // A sub-run that ended (stored with its call's outcome) is never driven again.
  if (sub.status === "running" || sub.status === "paused") {
    try {
      await driveAgentRun(sub, subLoop(agent[agentParts](), context, span));
    } catch (error) {
      if (stopsTheRun(error, context)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      sub.status = "error";
      sub.error = { code: error instanceof KernError ? error.code : "KERN_UNEXPECTED", message };
      execution.error = `Agent '${agent.name}' failed: ${message}`;
    }
  }
  // The calling run's tokens include its sub-agents'.
  parent.usage = addUsage(parent.usage, {
    inputTokens: sub.usage.inputTokens - before.inputTokens,
    outputTokens: sub.usage.outputTokens - before.outputTokens,
  });
  if (sub.status === "paused") {
    execution.phase = "awaiting";
    return;
  }
  if (sub.status === "completed") execution.result = sub.content ?? "";
  else execution.error ??= `Agent '${agent.name}' ended ${sub.status}: ${sub.error?.message ?? "no answer"}`;
  execution.phase = "done";
}

/** How the loop drives agents used as tools (see tool-batch's `subAgents`). */
export const subAgentDriver: SubAgentDriver = { prepare, run };
