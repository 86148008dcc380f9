import type { Frame, FrameOf, StepOutputState } from "../../runs/index.js";
import type { Parallel } from "../components/parallel.js";
import { checkpoint, markProgress } from "./checkpoint.js";
import {
  type EngineContext,
  type ExecInput,
  enterFrame,
  makeOutput,
  type Outcome,
  type Runner,
  rememberOutputs,
  skippedOutput,
  takeResolved,
} from "./context.js";
import {
  branchStart,
  cancelWaitingBranches,
  newBranch,
  orderByBranch,
  recordBranch,
  rejectedBranch,
  settleBranch,
} from "./parallel-branches.js";

/**
 * Runs every branch concurrently on the same input; once every branch finished, their outputs
 * are joined in declaration order.
 *
 * Any branch may pause at a gate. The others run on to their end (or their own gate), and the
 * Parallel pauses with one requirement per paused branch, recorded in its frame with each
 * branch's frames. A continue resumes the branches whose requirement was decided and leaves the
 * others waiting; finished branches never run again. Each branch checkpoints as a workflow does,
 * into its own entry of the Parallel's frame, so a crash in one branch is recovered in that
 * branch alone.
 */
export const runParallel: Runner<Parallel> = async (parallel, context, input, path, resume) => {
  const frame = enterFrame(context, "Parallel", resume, input);
  const skipped = resume === null ? null : olderResume(parallel, context, frame);
  if (skipped !== null) return skipped;
  if (frame.phase !== "branches" || frame.branches.length !== parallel.steps.length) {
    frame.phase = "branches";
    frame.branches = parallel.steps.map(() => newBranch());
  }
  // Stored as started (each branch as far as it got) before any branch runs.
  await checkpoint(context);
  const rejected = parallel.onBranchReject === "cancelPending" ? rejectedBranch(context.state, parallel, frame) : null;
  if (rejected !== null) {
    const reason = `Cancelled: branch '${rejected}' of Parallel '${parallel.name}' was rejected (onBranchReject: "cancelPending").`;
    await cancelWaitingBranches(parallel, context, frame, reason);
  }
  const firstNew = context.state.stepRequirements.length;
  const branchInput: ExecInput = { previousContent: frame.previousContent, additionalData: frame.additionalData ?? {} };
  const settled = await Promise.allSettled(
    parallel.steps.map((_, index) => runBranch(parallel, context, frame, index, branchInput, path)),
  );
  orderByBranch(context.state, firstNew, path);
  markProgress(context);
  // A branch that failed fails the Parallel, once every other branch has settled where it is.
  for (const result of settled) if (result.status === "rejected") throw result.reason;
  const cancelled = settled.find(
    (result): result is PromiseFulfilledResult<Outcome> =>
      result.status === "fulfilled" && result.value?.type === "cancelled",
  );
  if (cancelled !== undefined) {
    // A branch ended the run: nobody is asked about the others any more.
    await cancelWaitingBranches(parallel, context, frame, "Cancelled: the run was cancelled.");
    return cancelled.value;
  }
  if (frame.branches.some((branch) => branch.status === "paused")) return { type: "paused", frames: [frame] };
  return { type: "done", output: joined(parallel, context, frame) };
};

/**
 * Runs branch `index` from where it is, in a context of its own: its own frames, recorded into
 * the Parallel's frame at each of its checkpoints and pauses (and so on outwards). Returns its
 * outcome, or null when it did not run (finished, or still waiting for a decision).
 */
async function runBranch(
  parallel: Parallel,
  context: EngineContext,
  frame: FrameOf<"Parallel">,
  index: number,
  input: ExecInput,
  path: readonly number[],
): Promise<Outcome | null> {
  const component = parallel.steps[index];
  const branch = frame.branches[index];
  const start = component === undefined || branch === undefined ? null : branchStart(context.state, branch);
  if (start === null || component === undefined) return null;
  const stack: Frame[] = [];
  const branchContext: EngineContext = {
    ...context,
    stack,
    resolved: start.resolved,
    recordBranch: (requirementId) => {
      recordBranch(frame, index, stack, requirementId);
      context.recordBranch?.();
    },
  };
  const outcome = await context.execute(component, branchContext, input, [...path, index], start.resume);
  settleBranch(frame, index, component, outcome);
  return outcome;
}

/** The Parallel's output: its branches' outputs in declaration order, their contents joined. */
function joined(parallel: Parallel, context: EngineContext, frame: FrameOf<"Parallel">): StepOutputState {
  const outputs = frame.branches.map(
    (branch, index) => branch.output ?? skippedOutput(parallel.steps[index]?.name ?? "", "Step"),
  );
  rememberOutputs(context, outputs);
  const content = outputs
    .filter((output) => !output.skipped && output.content !== null)
    .map((output) => output.content)
    .join("\n\n");
  return makeOutput(parallel.name, "Parallel", content, {
    steps: outputs,
    success: outputs.every((output) => output.success),
  });
}

/**
 * A Parallel stored by a kern that checkpointed it only as a whole: recover() asked whether to
 * run it again (phase "error"), and a skip goes on without it; a retry runs every branch anew.
 */
function olderResume(parallel: Parallel, context: EngineContext, frame: FrameOf<"Parallel">): Outcome | null {
  if (frame.phase === "error") {
    const requirement = takeResolved(context);
    if (requirement.kind !== "error" || requirement.decision?.type !== "retry") {
      const reason = requirement.kind === "error" ? requirement.errorMessage : null;
      return { type: "done", output: { ...skippedOutput(parallel.name, "Parallel", reason), success: false } };
    }
    frame.branches = [];
  } else if (frame.phase === "execute" && !context.retrying) {
    throw new Error(
      `kern internal error: Parallel '${parallel.name}' was started and never finished, and nobody decided whether to run it again.`,
    );
  }
  return null;
}
