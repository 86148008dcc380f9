import type { AgentEvent, PausedToolCall } from "../agent/index.js";
import type {
  StepRequirementKind,
  StepRequirementState,
  StepType,
  UserInputField,
  WorkflowRunState,
} from "../runs/index.js";
import { pausedToolCalls } from "../runs/index.js";
import { requirementMessage } from "./step-requirement.js";

/** Which run and component an event is about. */
export interface StepRef {
  runId: string;
  sessionId: string;
  workflowName: string;
  stepName: string;
  stepType: StepType;
  stepPath: number[];
}

/** What a UI needs to render the question of a pause. */
export interface PauseInfo extends StepRef {
  requirementId: string;
  /** The names of the components from the top-level one down to the one that asks (see StepRequirement.path). */
  path: string[];
  kind: StepRequirementKind;
  message: string | null;
  /** JSON Schema of the values expected (user input), else null. */
  inputSchema: Record<string, unknown> | null;
  /** Route choices (route selection), else null. */
  choices: string[] | null;
  allowMultipleSelections: boolean;
  /** The paused tool calls (executor pauses), else null. */
  toolCalls: PausedToolCall[] | null;
  /** The output under review (review pauses), else null. */
  stepOutput: string | null;
  errorMessage: string | null;
  timeoutAt: number | null;
}

interface RunRef {
  runId: string;
  sessionId: string;
  workflowName: string;
}

/** Everything a workflow run reports while it runs, including its agents' events. */
export type WorkflowEvent =
  | ({ event: "WorkflowStarted"; input: string } & RunRef)
  | ({ event: "WorkflowCompleted"; content: string | null } & RunRef)
  | ({ event: "WorkflowCancelled"; reason: string } & RunRef)
  | ({ event: "WorkflowError"; error: { code: string; message: string } } & RunRef)
  | ({ event: "StepStarted" } & StepRef)
  | ({ event: "StepCompleted"; content: string | null; skipped: boolean } & StepRef)
  | ({ event: "StepContinued"; requirementId: string } & StepRef)
  | ({ event: "StepExecutorContinued"; requirementId: string; executorRunId: string | null } & StepRef)
  | ({ event: "StepError"; error: string; onError: "fail" | "skip" | "pause" } & StepRef)
  | ({ event: "StepPaused" } & PauseInfo)
  | ({ event: "StepExecutorPaused" } & PauseInfo)
  | ({ event: "StepOutputReview" } & PauseInfo)
  | ({ event: "RouterPaused" } & PauseInfo)
  | ({ event: "LoopIterationStarted"; iteration: number } & StepRef)
  | ({ event: "LoopIterationCompleted"; iteration: number; content: string | null } & StepRef)
  | ({ event: "ConditionExecutionStarted"; branch: "if" | "else" } & StepRef)
  | ({ event: "RouterExecutionStarted"; selected: string[] } & StepRef)
  | AgentEvent;

export type WorkflowEventName = WorkflowEvent["event"];
export type WorkflowEventListener = (event: WorkflowEvent) => void;

const FIELD_TYPES: Record<UserInputField["type"], string> = {
  string: "string",
  number: "number",
  integer: "integer",
  boolean: "boolean",
  list: "array",
  object: "object",
};

/** JSON Schema of a step's user-input fields. */
export function userInputJsonSchema(fields: readonly UserInputField[]): Record<string, unknown> {
  const properties = Object.fromEntries(
    fields.map((field) => [
      field.name,
      {
        type: FIELD_TYPES[field.type],
        ...(field.description === undefined ? {} : { description: field.description }),
        ...(field.allowedValues === undefined ? {} : { enum: field.allowedValues }),
      },
    ]),
  );
  const required = fields.filter((field) => field.required !== false).map((field) => field.name);
  return { type: "object", properties, required, additionalProperties: false };
}

export function runRef(state: WorkflowRunState): RunRef {
  return { runId: state.runId, sessionId: state.sessionId, workflowName: state.workflowName };
}

/** The pause event for the active requirement of a paused run. */
export function pauseEvent(state: WorkflowRunState, requirement: StepRequirementState): WorkflowEvent {
  const info: PauseInfo = {
    ...runRef(state),
    stepName: requirement.stepName,
    stepType: requirement.stepType,
    stepPath: requirement.stepPath,
    requirementId: requirement.id,
    path: requirement.path.length > 0 ? requirement.path : [requirement.stepName],
    kind: requirement.kind,
    message: requirementMessage(requirement),
    inputSchema: requirement.kind === "userInput" ? userInputJsonSchema(requirement.fields) : null,
    choices: requirement.kind === "route" ? requirement.choices : null,
    allowMultipleSelections: requirement.kind === "route" && requirement.allowMultipleSelections,
    toolCalls: requirement.kind === "executor" ? pausedToolCalls(requirement.calls) : null,
    stepOutput: "output" in requirement ? requirement.output.content : null,
    errorMessage: requirement.kind === "error" ? requirement.errorMessage : null,
    timeoutAt: "timeout" in requirement ? (requirement.timeout?.at ?? null) : null,
  };
  switch (requirement.kind) {
    case "executor":
      return { event: "StepExecutorPaused", ...info };
    case "outputReview":
    case "iterationReview":
      return { event: "StepOutputReview", ...info };
    case "route":
      return { event: "RouterPaused", ...info };
    case "confirmation":
    case "userInput":
    case "error":
      return { event: "StepPaused", ...info };
    default: {
      const unreachable: never = requirement;
      throw new Error(`Unknown requirement ${JSON.stringify(unreachable)}`);
    }
  }
}
