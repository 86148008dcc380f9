import { type PauseInfo, pauseEvent, type WorkflowEvent, type WorkflowRunOutput } from "../workflow/index.js";

/** A workflow pause as a person is asked about it: the pause event plus the agent that paused. */
export type PauseQuestion = PauseInfo & {
  /** The agent whose tool calls wait (executor pauses), when known. */
  agentName: string | null;
};

type PauseEvent = Extract<
  WorkflowEvent,
  { event: "StepPaused" | "StepExecutorPaused" | "StepOutputReview" | "RouterPaused" }
>;

/** True for the events that end a stream on a pause. */
export function isPauseEvent(event: WorkflowEvent): event is PauseEvent {
  return (
    event.event === "StepPaused" ||
    event.event === "StepExecutorPaused" ||
    event.event === "StepOutputReview" ||
    event.event === "RouterPaused"
  );
}

/** The question of a pause event, as it arrived in the stream. */
export function questionFromEvent(event: PauseEvent, agentName: string | null): PauseQuestion {
  const { event: _name, ...info } = event;
  return { ...info, agentName };
}

/**
 * The question of a stored paused run (loaded by `runs continue`), built by the same function
 * that builds the pause event a stream ends on, or null when the run is not paused.
 */
export function questionFromRun(run: WorkflowRunOutput): PauseQuestion | null {
  const state = run.toJSON();
  // The newest entry still open (a run paused in Parallel branches may have older ones open too).
  const active = [...state.stepRequirements].reverse().find((entry) => !entry.frozen);
  // A run recover() paused at a checkpoint has nothing to ask: its entries are all decided.
  if (!run.isPaused || active === undefined || active.frozen) return null;
  const event = pauseEvent(state, active);
  if (!isPauseEvent(event)) return null;
  return questionFromEvent(event, active.kind === "executor" ? active.executor.name : null);
}
