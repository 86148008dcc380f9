import type { Frame, ParallelBranch } from "../../runs/index.js";
import type { Component } from "../components/component.js";

/** The phase of a Step frame while the workflow given as its executor runs (its sequence's frames follow). */
export const WORKFLOW_PHASE = "workflow";

/** A component and its path (as stepPath gives it) in a workflow definition. */
export interface Located {
  component: Component;
  path: number[];
}

/** A run of frames of a cursor, each with the component it stands for, and the Parallel branch it is in (or null). */
export interface LocatedFrames {
  frames: Frame[];
  located: Located[];
  branch: ParallelBranch | null;
}

/** The children a composite runs its frame's `index` over, with the path index of each. */
function childAt(component: Component, frame: Frame): { child: Component; pathIndex: number } | undefined {
  if (component.stepType === "Step") {
    // A step running a workflow holds that workflow's sequence below its own frame.
    const runsWorkflow = component.nested !== undefined && frame.phase === WORKFLOW_PHASE;
    return runsWorkflow && component.nested !== undefined ? { child: component.nested, pathIndex: 0 } : undefined;
  }
  if (!("index" in frame)) return undefined;
  switch (component.stepType) {
    case "Steps":
    case "Loop": {
      const child = component.steps[frame.index];
      return child === undefined ? undefined : { child, pathIndex: frame.index };
    }
    case "Condition": {
      const branch = frame.stepType === "Condition" ? frame.branch : null;
      const offset = branch === "else" ? component.steps.length : 0;
      const child = (branch === "else" ? component.elseSteps : component.steps)[frame.index];
      return child === undefined ? undefined : { child, pathIndex: offset + frame.index };
    }
    case "Router": {
      const name = frame.stepType === "Router" ? frame.selected[frame.index] : undefined;
      const pathIndex = component.choices.findIndex((choice) => choice.name === name);
      const child = component.choices[pathIndex];
      return child === undefined ? undefined : { child, pathIndex };
    }
    case "Parallel":
      return undefined;
    default: {
      const unreachable: never = component;
      throw new Error(`Unknown component ${String(unreachable)}`);
    }
  }
}

/**
 * The component each frame of a stored cursor stands for, outermost first (the top-level frame
 * stands for the workflow itself and is left out), following the frames the way the engine does.
 * Returns null when the cursor does not fit `steps`: the definition changed under it.
 */
export function locateCursor(steps: readonly Component[], frames: readonly Frame[]): Located[] | null {
  const [top, ...rest] = frames;
  if (top === undefined) return [];
  if (top.stepType !== "Workflow") return null;
  const first = steps[top.index];
  return locateFrom(first === undefined ? undefined : { child: first, pathIndex: top.index }, rest, []);
}

/** Locates `frames` from the component the first of them stands for, at `basePath` plus its index. */
function locateFrom(
  first: { child: Component; pathIndex: number } | undefined,
  frames: readonly Frame[],
  basePath: readonly number[],
): Located[] | null {
  const located: Located[] = [];
  let current = first;
  let path = [...basePath];
  for (const frame of frames) {
    if (current === undefined || current.child.stepType !== frame.stepType) return null;
    path = [...path, current.pathIndex];
    located.push({ component: current.child, path });
    current = childAt(current.child, frame);
  }
  return located;
}

/**
 * The innermost runs of frames of a stored cursor, located: the cursor itself (its top-level
 * frame left out), or, where it ends in a Parallel with branches, each started branch's frames
 * (and so on into Parallels inside them). Null when the cursor does not fit `steps`.
 */
export function locateTree(steps: readonly Component[], frames: readonly Frame[]): LocatedFrames[] | null {
  const located = locateCursor(steps, frames);
  return located === null ? null : leaves(frames.slice(1), located, null);
}

function leaves(frames: Frame[], located: Located[], branch: ParallelBranch | null): LocatedFrames[] | null {
  const innermost = frames.at(-1);
  const here = located.at(-1);
  if (innermost?.stepType !== "Parallel" || innermost.branches.length === 0 || here === undefined)
    return [{ frames, located, branch }];
  const parallel = here.component;
  if (parallel.stepType !== "Parallel" || parallel.steps.length !== innermost.branches.length) return null;
  const found: LocatedFrames[] = [];
  for (const [index, entry] of innermost.branches.entries()) {
    const child = parallel.steps[index];
    if (entry.frames.length === 0 || child === undefined) continue;
    const inner = locateFrom({ child, pathIndex: index }, entry.frames, here.path);
    const below = inner === null ? null : leaves(entry.frames, inner, entry);
    if (below === null) return null;
    found.push(...below);
  }
  return found;
}

/** The names of the components along a stepPath, from the top-level one down (as far as they exist). */
export function namePath(steps: readonly Component[], path: readonly number[]): string[] {
  const names: string[] = [];
  let children: readonly Component[] = steps;
  for (const index of path) {
    const found = children[index];
    if (found === undefined) break;
    names.push(found.name);
    children = childrenOf(found);
  }
  return names;
}

/** The component at a requirement's stepPath, or undefined when there is none. */
export function componentAtPath(steps: readonly Component[], path: readonly number[]): Component | undefined {
  let children: readonly Component[] = steps;
  let found: Component | undefined;
  for (const index of path) {
    found = children[index];
    if (found === undefined) return undefined;
    children = childrenOf(found);
  }
  return found;
}

function childrenOf(component: Component): readonly Component[] {
  switch (component.stepType) {
    case "Steps":
    case "Loop":
    case "Parallel":
      return component.steps;
    case "Condition":
      return [...component.steps, ...component.elseSteps];
    case "Router":
      return component.choices;
    case "Step":
      return component.nested === undefined ? [] : [component.nested];
    default: {
      const unreachable: never = component;
      throw new Error(`Unknown component ${String(unreachable)}`);
    }
  }
}
