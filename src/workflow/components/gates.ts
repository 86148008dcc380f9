import type { Component } from "./component.js";

/** Describes the first human gate found in a component tree, or null when it has none. */
export function findGate(component: Component): string | null {
  switch (component.stepType) {
    case "Step":
      return component.hasGates ? `Step '${component.name}'` : null;
    case "Steps":
      return component.requiresConfirmation ? `Steps '${component.name}'` : firstGate(component.steps);
    case "Condition":
      return component.requiresConfirmation
        ? `Condition '${component.name}'`
        : firstGate([...component.steps, ...component.elseSteps]);
    case "Router": {
      const own =
        component.requiresConfirmation || component.requiresUserInput || component.requiresOutputReview !== false;
      return own ? `Router '${component.name}'` : firstGate(component.choices);
    }
    case "Loop":
      return component.requiresConfirmation || component.requiresIterationReview
        ? `Loop '${component.name}'`
        : firstGate(component.steps);
    case "Parallel":
      return firstGate(component.steps);
    default: {
      const unreachable: never = component;
      return String(unreachable);
    }
  }
}

function firstGate(components: readonly Component[]): string | null {
  for (const component of components) {
    const gate = findGate(component);
    if (gate !== null) return gate;
  }
  return null;
}
