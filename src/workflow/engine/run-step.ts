import { StepFailedError } from "../../errors.js";
import type { Frame, FrameOf, StepOutputState } from "../../runs/index.js";
import { newId, startDeadline } from "../../runs/index.js";
import type { Step } from "../components/step.js";
import { StepOutput } from "../step-output.js";
import { checkpoint, flushCheckpoint, markProgress } from "./checkpoint.js";
import { below } from "./children.js";
import {
  type EngineContext,
  type ExecInput,
  enterFrame,
  type Outcome,
  pause,
  type Runner,
  skippedOutput,
  stepRef,
  takeResolved,
} from "./context.js";
import { applyReview, isRejected, rejectOutcome, timeoutDecision } from "./decisions.js";
import { executorRequirementsOf } from "./executor-requirements.js";
import { WORKFLOW_PHASE } from "./locate.js";
import {
  confirmationRequirement,
  errorRequirement,
  executorRequirement,
  type GateOptions,
  reviewRequirement,
  userInputRequirement,
} from "./requirements.js";
import { runNestedWorkflow } from "./run-nested-workflow.js";
import {
  cancelStepAgent,
  continueStepAgent,
  executeStep,
  resumeStepAgent,
  type StepExecution,
  sharesTransaction,
} from "./step-execution.js";

/** Where a step goes next: its gates before it runs, running it, or reviewing its output. */
type Phase = "before" | "userInputGate" | "execute" | "review";

type StepFrame = FrameOf<"Step">;

/** How the step's gates ask: its message, what rejecting does, its deadline (on the workflow's clock). */
function gateOptions(context: EngineContext, step: Step, message: string | null): GateOptions {
  return { message, onReject: step.onReject, timeout: startDeadline(step.timeout, context.now()) };
}

function inputOf(frame: Frame): ExecInput {
  return { previousContent: frame.previousContent, additionalData: frame.additionalData ?? {} };
}

/** Handles one execution's result: an output goes to review, a paused agent or an error pauses. */
function afterExecution(
  step: Step,
  context: EngineContext,
  path: readonly number[],
  frame: StepFrame,
  result: StepExecution,
): Outcome | Phase {
  switch (result.type) {
    case "output":
      frame.output = result.output;
      frame.phase = "executed";
      return "review";
    case "agentPaused": {
      frame.phase = "executor";
      const executor = { id: result.run.agentId, name: result.run.agentName, runId: result.run.runId };
      return pause(context, executorRequirement(step, path, executor, executorRequirementsOf(result.run)), frame);
    }
    case "failed":
      context.emit?.({
        event: "StepError",
        ...stepRef(context, step, path),
        error: result.message,
        onError: step.onError,
      });
      if (step.onError === "skip")
        return { type: "done", output: { ...skippedOutput(step.name, "Step", result.message), success: false } };
      if (step.onError === "pause") {
        frame.phase = "error";
        return pause(context, errorRequirement(step, path, result.message), frame);
      }
      throw new StepFailedError(step.name, result.message);
    default: {
      const unreachable: never = result;
      throw new Error(`Unknown step execution ${JSON.stringify(unreachable)}`);
    }
  }
}

function needsReview(step: Step, output: StepOutputState): boolean {
  const review = step.requiresOutputReview;
  return typeof review === "function" ? review(StepOutput.fromState(output)) : review;
}

/**
 * Runs the step's agent or function once. Its frame is stored as started first (with the agent
 * run it will use), so after a crash the step is never run again silently: its agent run is
 * found and resumed, and a function step comes back to a person as "may or may not have run".
 *
 * An agent storing in the workflow's transaction makes that write part of its own first write
 * (the lead of the batch): until the agent stores anything, it has done nothing a crash could
 * repeat, and a crash before finds the step unstarted, to start again.
 */
async function startExecution(step: Step, context: EngineContext, frame: StepFrame): Promise<StepExecution> {
  frame.phase = "execute";
  frame.output = null;
  frame.runId = step.agent === undefined ? null : newId();
  if (!sharesTransaction(step, context)) await checkpoint(context);
  else context.batch.leadWith(() => checkpoint(context));
  try {
    const result = await executeStep(step, context, inputOf(frame), frame.runId);
    markProgress(context);
    return result;
  } finally {
    // Not stored by the agent: the workflow's next write stores the step's state as it is then.
    context.batch.dropLead();
  }
}

/** Goes on with an execution stored as started and never finished (after recover(), or a retry). */
async function resumeExecution(step: Step, context: EngineContext, frame: StepFrame): Promise<StepExecution> {
  if (step.agent === undefined || frame.runId === null) {
    if (context.retrying || step.idempotent) return startExecution(step, context, frame);
    throw new Error(
      `kern internal error: Step '${step.name}' was started and never finished, and nobody decided whether to run it again.`,
    );
  }
  const result = await resumeStepAgent(step, context, frame.runId, inputOf(frame));
  markProgress(context);
  return result;
}

/** Decides where a resumed step goes next: from a checkpoint, or from the decided requirement. */
async function resumeStep(
  step: Step,
  context: EngineContext,
  path: readonly number[],
  frame: StepFrame,
): Promise<Outcome | Phase> {
  if (frame.phase === "before") return "before";
  if (frame.phase === "execute")
    return afterExecution(step, context, path, frame, await resumeExecution(step, context, frame));
  if (frame.phase === "executed") return "review";
  const requirement = takeResolved(context);
  const timeout = timeoutDecision(requirement);
  if (timeout !== null && requirement.kind === "executor")
    await cancelStepAgent(step, context, requirement.executor.runId);
  if (timeout === "cancel") return { type: "cancelled", reason: `Step '${step.name}' timed out waiting for a human.` };
  if (timeout === "skip") return { type: "done", output: skippedOutput(step.name, "Step", "timed out") };
  switch (frame.phase) {
    case "confirm":
      if (isRejected(requirement)) return rejectOutcome(step, "Step", requirement);
      return "userInputGate";
    case "userInput": {
      if (isRejected(requirement)) return rejectOutcome(step, "Step", requirement);
      const values =
        requirement.kind === "userInput" && requirement.decision?.type === "input" ? requirement.decision.values : {};
      frame.additionalData = { ...(frame.additionalData ?? {}), userInput: values };
      return "execute";
    }
    case "executor": {
      if (requirement.kind !== "executor")
        throw new Error(
          `kern internal error: Step '${step.name}' resumed its agent from a ${requirement.kind} requirement.`,
        );
      return afterExecution(
        step,
        context,
        path,
        frame,
        await continueStepAgent(step, context, requirement.executor.runId, requirement.calls),
      );
    }
    case "review": {
      const decision = applyReview(step, frame, requirement);
      return decision === "retry" ? "execute" : decision;
    }
    case "error":
      // Retrying a step recover() found started is the person's call: they were told it may have run.
      if (requirement.kind !== "error")
        throw new Error(
          `kern internal error: Step '${step.name}' resumed an error decision from a ${requirement.kind} requirement.`,
        );
      return requirement.decision?.type === "retry"
        ? "execute"
        : { type: "done", output: { ...skippedOutput(step.name, "Step", requirement.errorMessage), success: false } };
    default:
      throw new Error(`kern internal error: Step '${step.name}' cannot resume from phase '${frame.phase}'.`);
  }
}

/**
 * Runs a Step through its gates: confirmation and user input before it runs, the agent's tool
 * pauses while it runs, output review or an error decision after. Resumes from its frame.
 */
export const runStep: Runner<Step> = async (step, context, input, path, resume) => {
  const frame = enterFrame(context, "Step", resume, input);
  let next: Outcome | Phase =
    resume === null || resume.length === 0
      ? "before"
      : frame.phase === WORKFLOW_PHASE
        ? await runNestedWorkflow(step, context, path, frame, below(resume))
        : await resumeStep(step, context, path, frame);
  for (;;) {
    if (typeof next !== "string") return next;
    switch (next) {
      case "before":
        if (step.requiresConfirmation) {
          frame.phase = "confirm";
          return pause(
            context,
            confirmationRequirement(step, path, gateOptions(context, step, step.confirmationMessage)),
            frame,
          );
        }
        next = "userInputGate";
        break;
      case "userInputGate":
        if (step.requiresUserInput) {
          frame.phase = "userInput";
          return pause(
            context,
            userInputRequirement(step, path, gateOptions(context, step, step.userInputMessage), step.userInputSchema),
            frame,
          );
        }
        next = "execute";
        break;
      case "execute":
        next =
          step.nested === undefined
            ? afterExecution(step, context, path, frame, await startExecution(step, context, frame))
            : await runNestedWorkflow(step, context, path, frame, null);
        break;
      case "review": {
        const output = frame.output ?? skippedOutput(step.name, "Step");
        // The output is stored before a review predicate of the user's runs.
        if (typeof step.requiresOutputReview === "function") await flushCheckpoint(context);
        if (!needsReview(step, output)) return { type: "done", output };
        frame.phase = "review";
        const review = { output, retryCount: frame.retryCount, maxRetries: step.hitlMaxRetries };
        return pause(
          context,
          reviewRequirement("outputReview", step, path, gateOptions(context, step, step.outputReviewMessage), review),
          frame,
        );
      }
      default: {
        const unreachable: never = next;
        throw new Error(`Unknown phase ${String(unreachable)}`);
      }
    }
  }
};
