import { type Agent, toolAtPath } from "../../agent/index.js";
import type { Tool } from "../../tools/index.js";
import type { Component } from "./component.js";

/** Every component in a tree, depth first. */
export function* walk(components: readonly Component[]): Generator<Component> {
  for (const component of components) {
    yield component;
    switch (component.stepType) {
      case "Step":
        if (component.nested !== undefined) yield* walk([component.nested]);
        break;
      case "Condition":
        yield* walk([...component.steps, ...component.elseSteps]);
        break;
      case "Router":
        yield* walk(component.choices);
        break;
      case "Steps":
      case "Loop":
      case "Parallel":
        yield* walk(component.steps);
        break;
      default: {
        const unreachable: never = component;
        throw new Error(`Unknown component ${String(unreachable)}`);
      }
    }
  }
}

/** The agent with this id in a workflow's steps, if any. */
export function findAgent(components: readonly Component[], agentId: string): Agent | undefined {
  for (const component of walk(components)) {
    if (component.stepType === "Step" && component.agent?.id === agentId) return component.agent;
  }
  return undefined;
}

/** The tool a call of an executor pause waits at: the step agent's own, or a sub-agent's along the call's path. */
export function executorTool(
  components: readonly Component[],
  agentId: string,
  path: readonly string[],
): Tool | undefined {
  const agent = findAgent(components, agentId);
  return agent === undefined ? undefined : toolAtPath(agent.tools, path);
}
