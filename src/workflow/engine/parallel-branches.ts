import type {
  Frame,
  FrameOf,
  ParallelBranch,
  StepOutputState,
  StepRequirementState,
  WorkflowRunState,
} from "../../runs/index.js";
import { BRANCH_DEFAULTS, deadlineOutcome, decidedByDeadline } from "../../runs/index.js";
import type { Parallel } from "../components/parallel.js";
import { cancelStepAgent } from "../workflow-state.js";
import { type EngineContext, type Outcome, skippedOutput } from "./context.js";
import { isRejected } from "./decisions.js";
import { branchesIn, branchMayGoOn, endsInBranches, resolvedAt } from "./open-requirements.js";

/** A branch that has not run yet. */
export function newBranch(): ParallelBranch {
  return { ...BRANCH_DEFAULTS, frames: [] };
}

function requirementById(state: WorkflowRunState, id: string | null): StepRequirementState | undefined {
  return id === null ? undefined : state.stepRequirements.find((requirement) => requirement.id === id);
}

/**
 * Where a branch starts or resumes in this drive: from the start, from its recorded frames (with
 * the decided requirement it paused on, when it waits at a gate), or null when it does not run:
 * it finished, or it still waits for a decision.
 */
export function branchStart(
  state: WorkflowRunState,
  branch: ParallelBranch,
): { resume: Frame[] | null; resolved: StepRequirementState | null } | null {
  // Its recorded frames stay as they are until the branch records new ones: resume from a copy.
  const frames = (): Frame[] | null => (branch.frames.length === 0 ? null : structuredClone(branch.frames));
  switch (branch.status) {
    case "done":
    case "cancelled":
      return null;
    case "pending":
      return { resume: null, resolved: null };
    case "running":
      return {
        resume: frames(),
        resolved: resolvedAt(branch.frames, requirementById(state, branch.requirementId) ?? null),
      };
    case "paused": {
      // Paused in a Parallel inside it: that Parallel decides which of its own branches go on.
      if (branch.requirementId === null) return { resume: frames(), resolved: null };
      const requirement = requirementById(state, branch.requirementId);
      if (requirement === undefined || !requirement.frozen) return null;
      return { resume: frames(), resolved: resolvedAt(branch.frames, requirement) };
    }
    default: {
      const unreachable: never = branch.status;
      throw new Error(`Unknown branch status ${String(unreachable)}`);
    }
  }
}

/**
 * Records branch `index`'s frames as they are now (a deep copy: the live frames go on changing):
 * running, or paused at `requirementId` when a gate in it just paused.
 */
export function recordBranch(
  frame: FrameOf<"Parallel">,
  index: number,
  stack: readonly Frame[],
  requirementId: string | undefined,
): void {
  const current = frame.branches[index] ?? newBranch();
  frame.branches[index] =
    requirementId === undefined
      ? { ...current, status: "running", frames: structuredClone([...stack]) }
      : { status: "paused", frames: structuredClone([...stack]), requirementId, output: null };
}

/** Records how branch `index` ended this drive: its output, where it paused, or that it cancelled the run. */
export function settleBranch(
  frame: FrameOf<"Parallel">,
  index: number,
  component: { name: string; stepType: StepOutputState["stepType"] },
  outcome: Outcome,
): void {
  const current = frame.branches[index] ?? newBranch();
  switch (outcome.type) {
    case "done":
      frame.branches[index] = { status: "done", frames: [], requirementId: null, output: outcome.output };
      return;
    case "paused": {
      // Paused at a gate of its own (recorded by pause()), or in a Parallel inside it.
      const requirementId = endsInBranches(outcome.frames) ? null : current.requirementId;
      frame.branches[index] = {
        status: "paused",
        frames: structuredClone(outcome.frames),
        requirementId,
        output: null,
      };
      return;
    }
    case "cancelled":
      frame.branches[index] = cancelledBranch(component.name, component.stepType, outcome.reason);
      return;
    default: {
      const unreachable: never = outcome;
      throw new Error(`Unknown outcome ${JSON.stringify(unreachable)}`);
    }
  }
}

function cancelledBranch(name: string, stepType: StepOutputState["stepType"], reason: string): ParallelBranch {
  const output = { ...skippedOutput(name, stepType, reason), success: false };
  return { status: "cancelled", frames: [], requirementId: null, output };
}

/** True when a person (or a deadline) rejected the requirement: a gate, or any tool call of an executor pause. */
function isBranchRejection(requirement: StepRequirementState): boolean {
  if (requirement.kind !== "executor") return isRejected(requirement);
  return requirement.calls.some(
    ({ requirement: call }) =>
      call.decision?.type === "reject" || (decidedByDeadline(call) && deadlineOutcome(call) === "reject"),
  );
}

/** The name of the first branch resuming in this drive from a rejected requirement, or null. */
export function rejectedBranch(state: WorkflowRunState, parallel: Parallel, frame: FrameOf<"Parallel">): string | null {
  for (const [index, branch] of frame.branches.entries()) {
    if (branch.status !== "paused") continue;
    const requirement = requirementById(state, branch.requirementId);
    if (requirement?.frozen === true && isBranchRejection(requirement)) return parallel.steps[index]?.name ?? null;
  }
  return null;
}

/**
 * Cancels the branches that wait for a person and cannot go on without one: their open
 * requirements (a Parallel inside them included) close undecided, their paused agent runs are
 * cancelled, and their outputs are skipped with `reason`.
 */
export async function cancelWaitingBranches(
  parallel: Parallel,
  context: EngineContext,
  frame: FrameOf<"Parallel">,
  reason: string,
): Promise<void> {
  const { state } = context;
  for (const [index, branch] of frame.branches.entries()) {
    const component = parallel.steps[index];
    if (component === undefined || branch.status !== "paused" || branchMayGoOn(state, branch)) continue;
    const ids = new Set([branch.requirementId, ...[...branchesIn(branch.frames)].map((inner) => inner.requirementId)]);
    for (const requirement of state.stepRequirements) {
      if (!ids.has(requirement.id) || requirement.frozen) continue;
      requirement.frozen = true;
      if (requirement.kind !== "executor") continue;
      for (const call of requirement.calls) call.requirement.frozen = true;
      await cancelStepAgent([component], context.db, requirement.executor, state);
    }
    frame.branches[index] = cancelledBranch(component.name, component.stepType, reason);
  }
}

/**
 * Puts the requirements this Parallel's branches appended since `firstNew` in the order of the
 * branches that asked them (branches pause concurrently, in any order), each in one of the places
 * they took: entries asked elsewhere meanwhile (by siblings of an enclosing Parallel) stay where
 * they are. `path` is the Parallel's stepPath.
 */
export function orderByBranch(state: WorkflowRunState, firstNew: number, path: readonly number[]): void {
  const depth = path.length;
  const places: number[] = [];
  const mine: StepRequirementState[] = [];
  state.stepRequirements.forEach((requirement, place) => {
    if (place < firstNew || !path.every((index, at) => requirement.stepPath[at] === index)) return;
    places.push(place);
    mine.push(requirement);
  });
  mine.sort((a, b) => (a.stepPath[depth] ?? 0) - (b.stepPath[depth] ?? 0));
  places.forEach((place, at) => {
    const requirement = mine[at];
    if (requirement !== undefined) state.stepRequirements[place] = requirement;
  });
}
