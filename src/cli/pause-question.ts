import type { PausedToolCall } from "../agent/index.js";
import type { UserInputField } from "../runs/index.js";
import type { PauseInfo, StepRequirement, WorkflowEvent, WorkflowRunOutput } from "../workflow/index.js";

/** A workflow pause as a person is asked about it: the pause event plus the agent that paused. */
export type PauseQuestion = PauseInfo & {
  /** The agent whose tool calls wait (executor pauses), when known. */
  agentName: string | null;
};

type PauseEvent = Extract<WorkflowEvent, { event: "StepPaused" | "StepExecutorPaused" | "StepOutputReview" | "RouterPaused" }>;

/** True for the events that end a stream on a pause. */
export function isPauseEvent(event: WorkflowEvent): event is PauseEvent {
  return event.event === "StepPaused" || event.event === "StepExecutorPaused" || event.event === "StepOutputReview" || event.event === "RouterPaused";
}

/** The question of a pause event, as it arrived in the stream. */
export function questionFromEvent(event: PauseEvent, agentName: string | null): PauseQuestion {
  const { event: _name, ...info } = event;
  return { ...info, agentName };
}

const FIELD_TYPES: Record<UserInputField["type"], string> = {
  string: "string",
  number: "number",
  integer: "integer",
  boolean: "boolean",
  list: "array",
  object: "object",
};

function fieldsSchema(fields: readonly UserInputField[]): Record<string, unknown> {
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
  return { type: "object", properties, required: fields.filter((field) => field.required !== false).map((field) => field.name) };
}

function toolCallsOf(requirement: StepRequirement): PausedToolCall[] {
  return requirement.executorRequirements
    .filter((call) => !call.isResolved)
    .map((call) => ({
      requirementId: call.id,
      kind: call.kind,
      toolCallId: call.toolExecution.toolCallId,
      toolName: call.toolExecution.toolName,
      toolArgs: { ...call.toolExecution.toolArgs },
      userInputSchema: call.userInputSchema === undefined ? null : { ...call.userInputSchema },
    }));
}

/**
 * The question of a stored paused run (loaded by `runs continue`), shaped exactly like the pause
 * event its stream ended on, or null when the run is not paused.
 */
export function questionFromRun(run: WorkflowRunOutput): PauseQuestion | null {
  const active = run.stepRequirements.at(-1);
  if (!run.isPaused || active === undefined) return null;
  const executor = active.requiresExecutorInput;
  return {
    runId: run.runId,
    sessionId: run.sessionId,
    workflowName: run.workflowName,
    stepName: active.stepName,
    stepType: active.stepType,
    stepPath: [...active.stepPath],
    requirementId: active.id,
    kind: active.kind,
    message: active.message,
    inputSchema: active.userInputSchema === null ? null : fieldsSchema(active.userInputSchema),
    choices: active.availableChoices === null ? null : [...active.availableChoices],
    allowMultipleSelections: active.allowMultipleSelections,
    toolCalls: executor ? toolCallsOf(active) : null,
    stepOutput: active.stepOutput?.content ?? null,
    errorMessage: active.errorMessage,
    timeoutAt: active.timeoutAt?.getTime() ?? null,
    agentName: executor ? active.executorName : null,
  };
}
