import type { Frame, ParallelBranch, StepRequirementState, WorkflowRunState } from "../../runs/index.js";

/**
 * Which requirements a paused run waits on: its open ones, those no continue has consumed yet
 * (not frozen).
 *
 * - Without a Parallel there is at most one, and it is always the last entry of
 *   `stepRequirements`: `stepRequirements.slice(-1)` is the active pause, as in the seed.
 * - A run paused inside a Parallel waits on one open requirement per paused branch. Branches that
 *   paused in the same drive append theirs in declaration order; a branch that pauses again later
 *   appends its new one at the end, after entries of branches decided meanwhile. So open entries
 *   need not be the last: `activeStepRequirements` (and the filters) list exactly the open,
 *   undecided ones. A continue decides any of them; the branches decided go on, the others stay
 *   paused with their requirements open.
 */
export function openRequirements(state: WorkflowRunState): StepRequirementState[] {
  if (!endsInBranches(state.cursor)) {
    const last = state.stepRequirements.at(-1);
    return last === undefined || last.frozen ? [] : [last];
  }
  const ids = new Set<string>();
  for (const branch of branchesIn(state.cursor))
    if (branch.status === "paused" && branch.requirementId !== null) ids.add(branch.requirementId);
  return state.stepRequirements.filter((requirement) => !requirement.frozen && ids.has(requirement.id));
}

/**
 * The requirements the components at the cursor wait on or resume from, decided or not: the
 * last one, or each paused (or resuming) branch's.
 */
export function cursorRequirements(state: WorkflowRunState): StepRequirementState[] {
  if (!endsInBranches(state.cursor)) {
    const last = state.stepRequirements.at(-1);
    return last === undefined ? [] : [last];
  }
  const ids = new Set<string>();
  for (const branch of branchesIn(state.cursor))
    if ((branch.status === "paused" || branch.status === "running") && branch.requirementId !== null)
      ids.add(branch.requirementId);
  return state.stepRequirements.filter((requirement) => ids.has(requirement.id));
}

/** The decided requirements a continue hands to the components that paused on them. */
export function continuedRequirements(state: WorkflowRunState): StepRequirementState[] {
  if (!endsInBranches(state.cursor)) {
    const resolved = resolvedAtCursor(state);
    return resolved === null ? [] : [resolved];
  }
  const ids = new Set<string>();
  for (const branch of branchesIn(state.cursor))
    if (branch.status === "paused" && branch.requirementId !== null) ids.add(branch.requirementId);
  return state.stepRequirements.filter((requirement) => requirement.frozen && ids.has(requirement.id));
}

/**
 * True when a continue with no decision has something to run: nothing waits for a person at the
 * cursor (a run recover() paused at a checkpoint), or some branch of the Parallel it stopped in
 * can go on (decided, or stopped at a checkpoint).
 */
export function mayGoOnUndecided(state: WorkflowRunState): boolean {
  if (!endsInBranches(state.cursor)) return openRequirements(state).length === 0;
  return parallelMayGoOn(state, state.cursor ?? []);
}

function parallelMayGoOn(state: WorkflowRunState, frames: readonly Frame[]): boolean {
  const parallel = frames.at(-1);
  if (parallel?.stepType !== "Parallel") return true;
  const finished = parallel.branches.every((branch) => branch.status === "done" || branch.status === "cancelled");
  return finished || parallel.branches.some((branch) => branchMayGoOn(state, branch));
}

/** True when a branch can go on in a continue: it has not finished, and waits for no person. */
export function branchMayGoOn(state: WorkflowRunState, branch: ParallelBranch): boolean {
  switch (branch.status) {
    case "pending":
    case "running":
      return true;
    case "paused":
      if (branch.requirementId === null) return parallelMayGoOn(state, branch.frames);
      return state.stepRequirements.find((entry) => entry.id === branch.requirementId)?.frozen === true;
    case "done":
    case "cancelled":
      return false;
    default: {
      const unreachable: never = branch.status;
      throw new Error(`Unknown branch status ${String(unreachable)}`);
    }
  }
}

/** True when the frames end in a Parallel that records its branches. */
export function endsInBranches(frames: readonly Frame[] | null): boolean {
  const innermost = frames?.at(-1);
  return innermost?.stepType === "Parallel" && innermost.branches.length > 0;
}

/** The branches of the Parallel the frames end in, each followed by the branches of Parallels inside it. */
export function* branchesIn(frames: readonly Frame[] | null): Generator<ParallelBranch> {
  const innermost = frames?.at(-1);
  if (innermost?.stepType !== "Parallel") return;
  for (const branch of innermost.branches) {
    yield branch;
    yield* branchesIn(branch.frames);
  }
}

/** Frame phases in which a component waits for the decision on the run's last requirement. */
const GATE_PHASES: ReadonlySet<string> = new Set(["confirm", "userInput", "route", "executor", "review", "error"]);

/**
 * The decided requirement a resume hands to the component frames stopped in: `requirement`,
 * when the innermost frame waits at a gate. Frames past the gate (a checkpoint after the decision
 * was consumed) resume with none.
 */
export function resolvedAt(
  frames: readonly Frame[] | null,
  requirement: StepRequirementState | null,
): StepRequirementState | null {
  const innermost = frames?.at(-1);
  return innermost === undefined || !GATE_PHASES.has(innermost.phase) ? null : requirement;
}

/** The decided requirement a resume hands to the component the run stopped in: its last one, at a gate. */
export function resolvedAtCursor(state: WorkflowRunState): StepRequirementState | null {
  return resolvedAt(state.cursor, state.stepRequirements.at(-1) ?? null);
}
