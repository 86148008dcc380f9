import { toolAtPath } from "../agent/index.js";
import type { StepRequirementState, WorkflowRunState } from "../runs/index.js";
import { fingerprintOf } from "../runs/index.js";
import type { Component } from "./components/component.js";
import { componentAtPath, locateTree } from "./engine/locate.js";
import { cursorRequirements } from "./engine/open-requirements.js";

/**
 * What a workflow run depends on: each component's type, name and place, the gate options that
 * decide what a person is asked and what their answer does, and each step agent's tools with
 * their parameters. Messages and descriptions are left out: rewording a question changes no
 * decision already made.
 */
function describe(component: Component): Record<string, unknown> {
  const base = { type: component.stepType, name: component.name };
  switch (component.stepType) {
    case "Step":
      return {
        ...base,
        executor:
          component.agent !== undefined
            ? { agent: component.agent.id, fingerprint: component.agent.fingerprint }
            : component.nested !== undefined
              ? { workflow: component.workflow?.id ?? null, steps: component.nested.steps.map(describe) }
              : "function",
        requiresConfirmation: component.requiresConfirmation,
        requiresUserInput: component.requiresUserInput,
        userInputSchema: component.userInputSchema,
        requiresOutputReview:
          typeof component.requiresOutputReview === "function" ? "function" : component.requiresOutputReview,
        onReject: component.onReject,
        onError: component.onError,
        idempotent: component.idempotent,
        hitlMaxRetries: component.hitlMaxRetries,
        hitlTimeout: component.hitlTimeout ?? null,
        onTimeout: component.onTimeout,
      };
    case "Steps":
      return {
        ...base,
        requiresConfirmation: component.requiresConfirmation,
        onReject: component.onReject,
        steps: component.steps.map(describe),
      };
    case "Condition":
      return {
        ...base,
        evaluator: typeof component.evaluator === "function" ? "function" : component.evaluator,
        requiresConfirmation: component.requiresConfirmation,
        onReject: component.onReject,
        steps: component.steps.map(describe),
        elseSteps: component.elseSteps.map(describe),
      };
    case "Router":
      return {
        ...base,
        choices: component.choices.map(describe),
        selector: component.selector === undefined ? null : "function",
        requiresUserInput: component.requiresUserInput,
        allowMultipleSelections: component.allowMultipleSelections,
        requiresConfirmation: component.requiresConfirmation,
        requiresOutputReview:
          typeof component.requiresOutputReview === "function" ? "function" : component.requiresOutputReview,
        onReject: component.onReject,
        hitlMaxRetries: component.hitlMaxRetries,
      };
    case "Loop":
      return {
        ...base,
        steps: component.steps.map(describe),
        maxIterations: component.maxIterations,
        endCondition: component.endCondition === undefined ? null : "function",
        forwardIterationOutput: component.forwardIterationOutput,
        requiresConfirmation: component.requiresConfirmation,
        requiresIterationReview: component.requiresIterationReview,
        onReject: component.onReject,
      };
    case "Parallel":
      // Left out at its default, so runs stored before the option existed keep their fingerprint.
      return {
        ...base,
        steps: component.steps.map(describe),
        ...(component.onBranchReject === "continue" ? {} : { onBranchReject: component.onBranchReject }),
      };
    default: {
      const unreachable: never = component;
      throw new Error(`Unknown component ${String(unreachable)}`);
    }
  }
}

/** The fingerprint of a workflow definition, stored with each of its runs. */
export function workflowFingerprint(workflowId: string, steps: readonly Component[]): string {
  return fingerprintOf({ kind: "workflow", id: workflowId, steps: steps.map(describe) });
}

/**
 * Why a stored run cannot continue under `steps`, or null when it can: its cursor must still fit
 * the steps (into every Parallel branch it stopped in), and each component a requirement at the
 * cursor was asked for must still be there, with the same name and type (and, for a tool call,
 * the same agent and a tool of the same name and gate). Checked even when a changed definition is
 * allowed: an approval is never applied to a step or tool it was not given for.
 */
export function incompatibleRun(steps: readonly Component[], state: WorkflowRunState): string | null {
  if (state.cursor === null) return null;
  if (locateTree(steps, state.cursor) === null) return "the place where it stopped no longer fits the steps";
  for (const requirement of cursorRequirements(state)) {
    const reason = incompatibleRequirement(steps, requirement);
    if (reason !== null) return reason;
  }
  return null;
}

function incompatibleRequirement(steps: readonly Component[], requirement: StepRequirementState): string | null {
  const component = componentAtPath(steps, requirement.stepPath);
  const where = `${requirement.stepType} '${requirement.stepName}' (path ${requirement.stepPath.join(".")})`;
  if (component === undefined) return `the component it waits at, ${where}, is gone`;
  if (component.name !== requirement.stepName || component.stepType !== requirement.stepType) {
    return `the component it waits at, ${where}, is now ${component.stepType} '${component.name}'`;
  }
  if (requirement.kind !== "executor") return null;
  const agent = component.stepType === "Step" ? component.agent : undefined;
  if (agent === undefined || agent.id !== requirement.executor.id)
    return `${where} no longer runs agent '${requirement.executor.id}'`;
  for (const { execution, path } of requirement.calls) {
    const tool = toolAtPath(agent.tools, path);
    if (tool?.gate !== execution.gate)
      return `agent '${agent.id}' no longer has tool '${path.slice(1).join(" › ")}' behind the same gate`;
  }
  return null;
}
