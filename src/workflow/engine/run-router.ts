import { ConfigurationError } from "../../errors.js";
import type { Frame, FrameOf, StepOutputState } from "../../runs/index.js";
import { startDeadline } from "../../runs/index.js";
import type { Component } from "../components/component.js";
import type { Router } from "../components/router.js";
import { StepOutput } from "../step-output.js";
import { flushCheckpoint } from "./checkpoint.js";
import { below, runChildren } from "./children.js";
import {
  type EngineContext,
  enterFrame,
  makeOutput,
  type Outcome,
  pause,
  type Runner,
  stepInputFor,
  stepRef,
  takeResolved,
} from "./context.js";
import { applyReview, isRejected, rejectOutcome, timeoutDecision as timeoutDecisionOf } from "./decisions.js";
import { pauseForConfirmation, takeConfirmation } from "./gates.js";
import { reviewRequirement, routeRequirement } from "./requirements.js";

function pauseForRoute(
  router: Router,
  context: EngineContext,
  path: readonly number[],
  frame: FrameOf<"Router">,
): Outcome {
  frame.phase = "route";
  frame.index = 0;
  frame.outputs = [];
  frame.selected = [];
  const options = {
    message: router.userInputMessage,
    onReject: router.onReject === "retry" ? "skip" : router.onReject,
    timeout: startDeadline(router.timeout, context.now()),
  };
  const route = {
    choices: router.choices.map((choice) => choice.name),
    allowMultipleSelections: router.allowMultipleSelections,
    retryCount: frame.retryCount,
    maxRetries: router.hitlMaxRetries,
  };
  return pause(context, routeRequirement(router, path, options, route), frame);
}

function selectionNames(router: Router, selection: unknown): string[] {
  const entries = Array.isArray(selection) ? selection : [selection];
  return entries.map((entry: unknown) => {
    const name = typeof entry === "string" ? entry : (entry as Component | undefined)?.name;
    if (name === undefined || router.choice(name) === undefined) {
      throw new ConfigurationError(
        `Router '${router.name}' selector returned ${JSON.stringify(typeof entry === "string" ? entry : (name ?? null))}, ` +
          `which is not one of its choices: ${router.choices.map((choice) => choice.name).join(", ")}.`,
      );
    }
    return name;
  });
}

async function select(router: Router, context: EngineContext, frame: FrameOf<"Router">): Promise<void> {
  if (router.selector === undefined) throw new ConfigurationError(`Router '${router.name}' has no selector to run.`);
  const input = { previousContent: frame.previousContent, additionalData: frame.additionalData ?? {} };
  frame.selected = selectionNames(router, await router.selector(stepInputFor(context, input)));
  frame.index = 0;
  frame.outputs = [];
}

function needsReview(router: Router, output: StepOutputState): boolean {
  const review = router.requiresOutputReview;
  return typeof review === "function" ? review(StepOutput.fromState(output)) : review;
}

/** Applies the decided requirement of a paused Router; returns an outcome or "run" to go on. */
async function resumeRouter(
  router: Router,
  context: EngineContext,
  path: readonly number[],
  frame: FrameOf<"Router">,
): Promise<Outcome | "run"> {
  if (frame.phase === "confirm") {
    const decision = takeConfirmation(router, context);
    if (decision !== "confirmed")
      return "type" in decision ? decision : rejectOutcome(router, "Router", decision.rejected);
    await select(router, context, frame);
    return "run";
  }
  const requirement = takeResolved(context);
  if (frame.phase === "route") {
    if (requirement.kind !== "route")
      throw new Error(`kern internal error: Router '${router.name}' resumed from a ${requirement.kind} requirement.`);
    const timeout = timeoutDecisionOf(requirement);
    if (timeout !== null)
      return timeout === "cancel"
        ? { type: "cancelled", reason: `Router '${router.name}' timed out waiting for a human.` }
        : { type: "done", output: makeOutput(router.name, "Router", null, { skipped: true, error: "timed out" }) };
    if (isRejected(requirement))
      return rejectOutcome({ name: router.name, onReject: requirement.onReject }, "Router", requirement);
    frame.selected = requirement.decision?.type === "select" ? [...requirement.decision.choices] : [];
    return "run";
  }
  const decision = applyReview(router, frame, requirement);
  if (decision !== "retry") return decision;
  if (router.requiresUserInput) return pauseForRoute(router, context, path, frame);
  await select(router, context, frame);
  return "run";
}

/**
 * Runs a Router: a human picks the route (or confirms, then the selector picks), the selected
 * choices run in order, each fed the previous one's output, then an optional output review.
 */
export const runRouter: Runner<Router> = async (router, context, input, path, resume) => {
  const frame = enterFrame(context, "Router", resume, input);
  let resumeChild: Frame[] | null = null;
  if (resume === null || frame.phase === "before") {
    if (router.requiresUserInput) return pauseForRoute(router, context, path, frame);
    if (router.requiresConfirmation) return pauseForConfirmation(router, context, path, frame);
    await select(router, context, frame);
  } else if (frame.phase === "running") {
    resumeChild = below(resume);
  } else if (frame.phase === "executed" && frame.output !== null) {
    return reviewOrDone(router, context, path, frame, frame.output);
  } else {
    const next = await resumeRouter(router, context, path, frame);
    if (next !== "run") return next;
  }
  if (resumeChild === null)
    context.emit?.({
      event: "RouterExecutionStarted",
      ...stepRef(context, router, path),
      selected: [...frame.selected],
    });
  frame.phase = "running";
  const chosen = frame.selected
    .map((name) => router.choice(name))
    .filter((choice): choice is Component => choice !== undefined);
  const pathOf = (index: number): number[] => [
    ...path,
    router.choices.findIndex((choice) => choice.name === frame.selected[index]),
  ];
  const result = await runChildren(chosen, context, frame, frame.previousContent, pathOf, resumeChild);
  if (result.type !== "finished") return result;
  return reviewOrDone(
    router,
    context,
    path,
    frame,
    makeOutput(router.name, "Router", result.content, { steps: frame.outputs }),
  );
};

/** Pauses for the Router's output review when it has one, else finishes with `output`. */
async function reviewOrDone(
  router: Router,
  context: EngineContext,
  path: readonly number[],
  frame: FrameOf<"Router">,
  output: StepOutputState,
): Promise<Outcome> {
  if (typeof router.requiresOutputReview === "function") {
    // The routes' outputs are stored before a review predicate of the user's runs.
    frame.phase = "executed";
    frame.output = output;
    await flushCheckpoint(context);
  }
  if (!needsReview(router, output)) return { type: "done", output };
  frame.phase = "review";
  frame.output = output;
  const requirement = reviewRequirement(
    "outputReview",
    router,
    path,
    {
      message: router.outputReviewMessage,
      onReject: router.onReject,
      timeout: startDeadline(router.timeout, context.now()),
    },
    { output, retryCount: frame.retryCount, maxRetries: router.hitlMaxRetries },
  );
  return pause(context, requirement, frame);
}
