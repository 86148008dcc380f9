import { type Agent, type AgentEventListener, continueTaken, type RunOutput } from "../../agent/index.js";
import { ClaimLostError, RunNotPausedError, StoreError } from "../../errors.js";
import {
  type AnyGatePolicy,
  addUsage,
  decidedUpstream,
  type ExecutorRequirementState,
  fallbackPolicy,
  holdWritesIn,
  isAbort,
  NO_USAGE,
  parentClaim,
  type StepOutputState,
  type WriteBatch,
} from "../../runs/index.js";
import { startSpan, type TraceSpan, traceParent } from "../../telemetry/index.js";
import type { Step } from "../components/step.js";
import { StepOutput } from "../step-output.js";
import { type EngineContext, type ExecInput, makeOutput, stepInputFor } from "./context.js";
import { stepAgentDecisions } from "./executor-requirements.js";

/** One execution of a step's agent or function. */
export type StepExecution =
  | { type: "output"; output: StepOutputState }
  | { type: "agentPaused"; run: RunOutput }
  | { type: "failed"; message: string };

function describe(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 0) ?? String(value);
}

/** The message an agent step receives: the previous content plus what gates supplied. */
export function agentMessage(context: EngineContext, input: ExecInput): string {
  const parts = [input.previousContent ?? context.input];
  const userInput = input.additionalData["userInput"];
  if (typeof userInput === "object" && userInput !== null) {
    const lines = Object.entries(userInput).map(([key, value]) => `- ${key}: ${describe(value)}`);
    parts.push(`User preferences:\n${lines.join("\n")}`);
  }
  const feedback = input.additionalData["feedback"];
  if (typeof feedback === "string" && feedback !== "") {
    parts.push(`Reviewer feedback on your previous answer: ${feedback}`);
  }
  const previousOutput = input.additionalData["previousOutput"];
  if (typeof previousOutput === "string") {
    parts.push(`Your previous answer:\n${previousOutput}`);
  }
  return parts.join("\n\n");
}

/** Forwards the workflow's signal, event listener and streaming choice to a step's agent. */
function agentOptions(context: EngineContext): {
  signal?: AbortSignal;
  onEvent?: AgentEventListener;
  stream: boolean;
  allowDefinitionChange: boolean;
  [holdWritesIn]?: WriteBatch;
  [traceParent]: TraceSpan;
  [fallbackPolicy]?: AnyGatePolicy;
  [parentClaim]: string;
} {
  return {
    // This drive holds the workflow run's claim, which covers its step agents' runs.
    [parentClaim]: context.state.runId,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
    ...(context.emit === undefined ? {} : { onEvent: context.emit }),
    stream: context.stream,
    allowDefinitionChange: context.allowDefinitionChange,
    // The agent holds its final save (stored with the workflow's next write) only when it stores
    // in the workflow's own Db, and never inside a Parallel: branches go on while it would wait.
    ...(context.recordBranch === null ? { [holdWritesIn]: context.batch } : {}),
    [traceParent]: stepSpans.get(context) ?? context.span,
    ...(context.policy === undefined ? {} : { [fallbackPolicy]: context.policy }),
  };
}

function agentDb(step: Step, context: EngineContext) {
  return step.agent?.ownDb ?? context.db;
}

/** True when the step's agent stores its writes in the workflow's transactions (agentOptions' holdWritesIn). */
export function sharesTransaction(step: Step, context: EngineContext): boolean {
  return step.agent !== undefined && context.recordBranch === null && agentDb(step, context) === context.db;
}

function rememberExecutorRun(context: EngineContext, step: Step, run: RunOutput): void {
  context.executorRuns.set(run.runId, run);
  const usage = { ...run.usage };
  const known = context.state.executorRuns.find((entry) => entry.runId === run.runId);
  if (known !== undefined) known.usage = usage;
  else context.state.executorRuns.push({ runId: run.runId, agentId: run.agentId, stepName: step.name, usage });
  // The workflow's total: the latest usage of each of its steps' agent runs.
  context.state.usage = context.state.executorRuns.reduce((total, entry) => addUsage(total, entry.usage), NO_USAGE);
}

function fromAgentRun(context: EngineContext, step: Step, run: RunOutput): StepExecution {
  rememberExecutorRun(context, step, run);
  if (run.isPaused) return { type: "agentPaused", run };
  return { type: "output", output: makeOutput(step.name, "Step", run.content ?? "", { executorRunId: run.runId }) };
}

function failure(error: unknown): StepExecution {
  // An abort, the store failing or a lost claim is not the step failing: it ends this drive as it is.
  if (error instanceof StoreError || error instanceof ClaimLostError || isAbort(error)) throw error;
  return { type: "failed", message: error instanceof Error ? error.message : String(error) };
}

/** Starts the step's agent run under `runId`. */
async function startAgent(
  agent: Agent,
  step: Step,
  context: EngineContext,
  input: ExecInput,
  runId: string | null,
): Promise<StepExecution> {
  const run = await agent.run(agentMessage(context, input), {
    sessionId: context.state.sessionId,
    ...(context.state.userId === null ? {} : { userId: context.state.userId }),
    ...(runId === null ? {} : { runId }),
    ...agentOptions(context),
    db: agentDb(step, context),
    parentRunId: context.state.runId,
  });
  return fromAgentRun(context, step, run);
}

/** Runs the step's agent (a new run, under `runId`) or its executor function, once. */
async function executeStepNow(
  step: Step,
  context: EngineContext,
  input: ExecInput,
  runId: string | null,
): Promise<StepExecution> {
  try {
    if (step.agent !== undefined) return await startAgent(step.agent, step, context, input, runId);
    const result = await step.executor?.(stepInputFor(context, input));
    const output =
      result instanceof StepOutput ? result.toJSON() : makeOutput(step.name, "Step", describe(result ?? ""));
    return { type: "output", output: { ...output, stepName: step.name, stepType: "Step" } };
  } catch (error) {
    return failure(error);
  }
}

/** Continues the step's paused agent run with the decisions made on the executor requirement. */
async function continueStepAgentNow(
  step: Step,
  context: EngineContext,
  runId: string,
  decisions: readonly ExecutorRequirementState[],
): Promise<StepExecution> {
  if (step.agent === undefined) return { type: "failed", message: `Step '${step.name}' has no agent to continue.` };
  try {
    const { decisions: decided, stamps } = stepAgentDecisions(decisions);
    const options = { db: agentDb(step, context), ...agentOptions(context), [decidedUpstream]: stamps };
    // Claimed already, with the workflow run (tree-claim.ts): driven from its claim.
    const taken = context.agentClaims.get(runId);
    context.agentClaims.delete(runId);
    const run =
      taken === undefined
        ? await step.agent.continueRun({ runId, sessionId: context.state.sessionId, decisions: decided }, options)
        : await step.agent[continueTaken](taken, options);
    return fromAgentRun(context, step, run);
  } catch (error) {
    // A process that died after the agent finished but before the workflow was stored left the
    // agent run completed: pick up its output instead of running anything again.
    if (error instanceof RunNotPausedError && error.status === "completed") {
      return fromAgentRun(
        context,
        step,
        await step.agent.getRunOutput(runId, context.state.sessionId, { db: agentDb(step, context) }),
      );
    }
    // A workflow being retried resumes its step agent from where the agent failed.
    if (error instanceof RunNotPausedError && error.status === "error" && context.retrying) {
      try {
        const ref = { runId, sessionId: context.state.sessionId };
        return fromAgentRun(
          context,
          step,
          await step.agent.retryRun(ref, { db: agentDb(step, context), ...agentOptions(context) }),
        );
      } catch (retryError) {
        return failure(retryError);
      }
    }
    return failure(error);
  }
}

/**
 * Goes on with the step's agent run stored as started (after recover() or a retry): starts it if
 * the crash came before it was stored, resumes it from its checkpoint, retries it after an error
 * when the workflow is being retried, or picks up the output of a run that already finished.
 */
async function resumeStepAgentNow(
  step: Step,
  context: EngineContext,
  runId: string,
  input: ExecInput,
): Promise<StepExecution> {
  const agent = step.agent;
  if (agent === undefined) return { type: "failed", message: `Step '${step.name}' has no agent to resume.` };
  try {
    const db = agentDb(step, context);
    const stored = await db.getRun("agent", runId);
    if (stored === null) return await startAgent(agent, step, context, input, runId);
    const run = await agent.getRunOutput(runId, context.state.sessionId, { db });
    const options = { db, ...agentOptions(context) };
    const ref = { runId, sessionId: context.state.sessionId };
    switch (run.status) {
      case "completed":
        return fromAgentRun(context, step, run);
      case "paused":
        return fromAgentRun(context, step, await agent.continueRun(ref, options));
      case "error":
        if (context.retrying) return fromAgentRun(context, step, await agent.retryRun(ref, options));
        return { type: "failed", message: run.error?.message ?? `Agent run '${runId}' ended with an error.` };
      default:
        return {
          type: "failed",
          message: `Agent run '${runId}' of step '${step.name}' is ${run.status}; it cannot be resumed.`,
        };
    }
  } catch (error) {
    return failure(error);
  }
}

/** Closes the step's paused agent run when the step will not continue it. */
export async function cancelStepAgent(step: Step, context: EngineContext, runId: string): Promise<void> {
  await step.agent?.cancelRun(runId, context.state.sessionId, {
    db: agentDb(step, context),
    [parentClaim]: context.state.runId,
  });
}

/** The span of the step running in each engine context (a Parallel branch has a context of its own). */
const stepSpans = new WeakMap<EngineContext, TraceSpan>();

/** Runs one leg of a step in its span; the step's agent run (or executor function) nests under it. */
async function inStepSpan(
  step: Step,
  context: EngineContext,
  leg: "execute" | "continue" | "resume",
  fn: () => Promise<StepExecution>,
): Promise<StepExecution> {
  const span = startSpan(
    `kern.step ${step.name}`,
    { "kern.step.name": step.name, "kern.step.leg": leg, "kern.run.id": context.state.runId },
    context.span,
  );
  stepSpans.set(context, span);
  try {
    const result = await span.run(fn);
    span.set({ "kern.step.outcome": result.type });
    span.end(result.type === "failed" ? result.message : undefined);
    return result;
  } catch (error) {
    span.end(error);
    throw error;
  } finally {
    stepSpans.delete(context);
  }
}

/** Runs the step's agent (a new run, under `runId`) or its executor function, once. */
export function executeStep(
  step: Step,
  context: EngineContext,
  input: ExecInput,
  runId: string | null,
): Promise<StepExecution> {
  return inStepSpan(step, context, "execute", () => executeStepNow(step, context, input, runId));
}

/** Continues the step's paused agent run with the decisions made on the executor requirement. */
export function continueStepAgent(
  step: Step,
  context: EngineContext,
  runId: string,
  decisions: readonly ExecutorRequirementState[],
): Promise<StepExecution> {
  return inStepSpan(step, context, "continue", () => continueStepAgentNow(step, context, runId, decisions));
}

/** Goes on with the step's agent run stored as started (after recover() or a retry). */
export function resumeStepAgent(
  step: Step,
  context: EngineContext,
  runId: string,
  input: ExecInput,
): Promise<StepExecution> {
  return inStepSpan(step, context, "resume", () => resumeStepAgentNow(step, context, runId, input));
}
