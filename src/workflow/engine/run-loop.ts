import type { Frame, FrameOf, StepOutputState } from "../../runs/index.js";
import { startDeadline } from "../../runs/index.js";
import type { Loop } from "../components/loop.js";
import { StepOutput } from "../step-output.js";
import { flushCheckpoint } from "./checkpoint.js";
import { below, runChildren } from "./children.js";
import {
  type EngineContext,
  enterFrame,
  lastContent,
  makeOutput,
  type Outcome,
  pause,
  type Runner,
  skippedOutput,
  stepRef,
  takeResolved,
} from "./context.js";
import { editedContent, isApproved, rejectOutcome } from "./decisions.js";
import { pauseForConfirmation, takeConfirmation } from "./gates.js";
import { reviewRequirement } from "./requirements.js";

function loopOutput(loop: Loop, frame: FrameOf<"Loop">): StepOutputState {
  return makeOutput(loop.name, "Loop", lastContent(frame.iterations, frame.previousContent), {
    steps: frame.iterations,
  });
}

function iterationStart(loop: Loop, frame: FrameOf<"Loop">): string | null {
  return loop.forwardIterationOutput && frame.iterations.length > 0
    ? lastContent(frame.iterations, frame.previousContent)
    : frame.previousContent;
}

function pauseForIterationReview(
  loop: Loop,
  context: EngineContext,
  path: readonly number[],
  frame: FrameOf<"Loop">,
  iteration: StepOutputState,
): Outcome {
  frame.phase = "review";
  const timeout = startDeadline(loop.timeout, context.now());
  const options = { message: loop.iterationReviewMessage, onReject: loop.onReject, timeout };
  const requirement = reviewRequirement("iterationReview", loop, path, options, {
    output: iteration,
    retryCount: frame.iteration,
    maxRetries: loop.maxIterations,
  });
  return pause(context, requirement, frame);
}

/** Applies an iteration-review decision: accept ends the loop; reject follows onReject. */
function resumeReview(loop: Loop, context: EngineContext, frame: FrameOf<"Loop">): Outcome | "next" {
  const requirement = takeResolved(context);
  if (isApproved(requirement)) {
    const last = frame.iterations.at(-1);
    const edited = editedContent(requirement);
    if (last !== undefined && edited !== null)
      frame.iterations[frame.iterations.length - 1] = { ...last, content: edited };
    return { type: "done", output: loopOutput(loop, frame) };
  }
  if (loop.onReject !== "retry") return rejectOutcome(loop, "Loop", requirement);
  const feedback =
    "decision" in requirement && requirement.decision?.type === "reject" ? requirement.decision.feedback : null;
  frame.additionalData = {
    ...(frame.additionalData ?? {}),
    feedback: feedback ?? "",
    previousOutput: frame.iterations.at(-1)?.content ?? null,
  };
  return "next";
}

/**
 * Asks the end condition about the last iteration. The iterations so far are stored first, with
 * the frame at "endCondition", so a crash inside the user's function asks it again on resume.
 */
async function endsHere(loop: Loop, context: EngineContext, frame: FrameOf<"Loop">): Promise<boolean> {
  const iteration = frame.iterations.at(-1);
  if (loop.endCondition === undefined || iteration === undefined) return false;
  frame.phase = "endCondition";
  await flushCheckpoint(context);
  const ends = await loop.endCondition(iteration.steps.map((step) => StepOutput.fromState(step)));
  frame.phase = "running";
  return ends;
}

/**
 * Runs a Loop: confirmation once before the first iteration, then up to `maxIterations`
 * iterations; after each but the last, an iteration review or the end condition may end it.
 * The iteration number and completed iterations live in the frame, so pauses inside an
 * iteration resume in that iteration.
 */
export const runLoop: Runner<Loop> = async (loop, context, input, path, resume) => {
  const frame = enterFrame(context, "Loop", resume, input);
  let resumeChild: Frame[] | null = null;
  let checkEnd = false;
  if (resume === null || frame.phase === "before") {
    if (loop.requiresConfirmation) return pauseForConfirmation(loop, context, path, frame);
  } else if (frame.phase === "confirm") {
    const decision = takeConfirmation(loop, context);
    if (decision !== "confirmed") return "type" in decision ? decision : rejectOutcome(loop, "Loop", decision.rejected);
  } else if (frame.phase === "review") {
    const next = resumeReview(loop, context, frame);
    if (next !== "next") return next;
  } else if (frame.phase === "endCondition") {
    checkEnd = true;
  } else {
    resumeChild = below(resume);
  }
  frame.phase = "running";
  if (checkEnd && (await endsHere(loop, context, frame))) return { type: "done", output: loopOutput(loop, frame) };
  while (frame.iteration < loop.maxIterations) {
    const start = iterationStart(loop, frame);
    if (resumeChild === null)
      context.emit?.({
        event: "LoopIterationStarted",
        ...stepRef(context, loop, path),
        iteration: frame.iteration + 1,
      });
    const result = await runChildren(loop.steps, context, frame, start, (index) => [...path, index], resumeChild);
    resumeChild = null;
    if (result.type !== "finished") return result;
    const iteration = makeOutput(`${loop.name}#${frame.iteration + 1}`, "Steps", result.content, {
      steps: frame.outputs,
    });
    frame.iterations.push(iteration);
    context.emit?.({
      event: "LoopIterationCompleted",
      ...stepRef(context, loop, path),
      iteration: frame.iteration + 1,
      content: iteration.content,
    });
    frame.outputs = [];
    frame.index = 0;
    frame.iteration += 1;
    if (frame.iteration >= loop.maxIterations) break;
    if (loop.requiresIterationReview) return pauseForIterationReview(loop, context, path, frame, iteration);
    if (await endsHere(loop, context, frame)) break;
  }
  if (frame.iterations.length === 0) return { type: "done", output: skippedOutput(loop.name, "Loop") };
  return { type: "done", output: loopOutput(loop, frame) };
};
