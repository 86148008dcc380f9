import type { Frame } from "../../runs/index.js";
import type { Component } from "../components/component.js";

/** A component and its path (as stepPath gives it) in a workflow definition. */
export interface Located {
  component: Component;
  path: number[];
}

/** The children a composite runs its frame's `index` over, with the path index of each. */
function childAt(component: Component, frame: Frame): { child: Component; pathIndex: number } | undefined {
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
    case "Step":
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
  const located: Located[] = [];
  let current: { child: Component; pathIndex: number } | undefined =
    steps[top.index] === undefined ? undefined : { child: steps[top.index] as Component, pathIndex: top.index };
  let path: number[] = [];
  for (const frame of rest) {
    if (current === undefined || current.child.stepType !== frame.stepType) return null;
    path = [...path, current.pathIndex];
    located.push({ component: current.child, path });
    current = childAt(current.child, frame);
  }
  return located;
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
      return [];
    default: {
      const unreachable: never = component;
      throw new Error(`Unknown component ${String(unreachable)}`);
    }
  }
}
