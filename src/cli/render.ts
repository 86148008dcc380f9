import type { WorkflowEvent } from "../workflow/index.js";
import { inline, SYMBOL, type Terminal } from "./terminal.js";

/** Counts what a person would want in the summary: which tools really ran, and how often. */
export type ToolCounts = Map<string, number>;

/**
 * Turns workflow events into progress lines as they arrive: steps starting and finishing, the
 * agent's text as it streams, tool calls and their results. Pause events are left to the caller,
 * which shows them as a question.
 */
export class EventRenderer {
  readonly toolRuns: ToolCounts = new Map();
  readonly #terminal: Terminal;
  /** Whether the current step's agent streamed its text (so the step's content is not repeated). */
  #streamed = false;

  constructor(terminal: Terminal) {
    this.#terminal = terminal;
  }

  render(event: WorkflowEvent): void {
    const out = this.#terminal;
    switch (event.event) {
      case "WorkflowStarted":
        return out.line(
          SYMBOL.step,
          `${out.paint("bold", event.workflowName)} started ${out.paint("dim", `(run ${event.runId})`)}\n${out.paint("dim", "input:")} ${event.input}`,
          "cyan",
        );
      case "StepStarted":
        this.#streamed = false;
        return out.line(
          SYMBOL.step,
          `${event.stepType === "Step" ? "step" : event.stepType} ${out.paint("bold", event.stepName)}`,
          "cyan",
        );
      case "StepContinued":
      case "StepExecutorContinued":
        this.#streamed = false;
        return out.line(SYMBOL.step, `${event.stepName} continues`, "cyan");
      case "StepCompleted":
        return this.#stepCompleted(event.stepName, event.content, event.skipped);
      case "StepError":
        return out.line(SYMBOL.fail, `${event.stepName} failed: ${event.error} (onError: ${event.onError})`, "red");
      case "LoopIterationStarted":
        return out.line(SYMBOL.step, `${event.stepName}: iteration ${event.iteration}`, "cyan");
      case "LoopIterationCompleted":
        return out.line(SYMBOL.done, `${event.stepName}: iteration ${event.iteration} done`, "green");
      case "ConditionExecutionStarted":
        return out.line(SYMBOL.step, `${event.stepName}: taking the ${event.branch} branch`, "cyan");
      case "RouterExecutionStarted":
        return out.line(SYMBOL.step, `${event.stepName}: routing to ${event.selected.join(", ")}`, "cyan");
      case "RunContent":
        this.#streamed = true;
        return out.stream(event.delta);
      case "ToolCallStarted":
        return out.line(
          SYMBOL.toolCall,
          `${event.agentName} calls ${out.paint("bold", event.toolName)} ${out.paint("dim", inline(event.toolArgs))}`,
          "magenta",
        );
      case "ToolCallCompleted":
        return this.#toolCompleted(event.toolName, event.result, event.error);
      case "RunCompleted":
      case "RunPaused":
      case "RunCancelled":
        return out.endOpenLine();
      case "RunError":
        return out.line(SYMBOL.fail, `${event.agentName} failed: ${event.error.message}`, "red");
      case "WorkflowCompleted":
        return out.line(SYMBOL.done, `${out.paint("bold", "completed")}: ${event.content ?? "(no content)"}`, "green");
      case "WorkflowCancelled":
        return out.line(SYMBOL.skipped, `${out.paint("bold", "cancelled")}: ${event.reason}`, "yellow");
      case "WorkflowError":
        return out.line(
          SYMBOL.fail,
          `${out.paint("bold", "error")} (${event.error.code}): ${event.error.message}`,
          "red",
        );
      case "RunStarted":
      case "RunContinued":
      case "StepPaused":
      case "StepExecutorPaused":
      case "StepOutputReview":
      case "RouterPaused":
        return;
      default: {
        const unreachable: never = event;
        return out.line(SYMBOL.info, inline(unreachable));
      }
    }
  }

  #stepCompleted(stepName: string, content: string | null, skipped: boolean): void {
    const out = this.#terminal;
    if (skipped) return out.line(SYMBOL.skipped, `${stepName} skipped`, "yellow");
    const shown = this.#streamed || content === null ? "" : `: ${inline(content)}`;
    out.line(SYMBOL.done, `${stepName} done${shown}`, "green");
  }

  #toolCompleted(toolName: string, result: string | null, error: string | null): void {
    const out = this.#terminal;
    if (error !== null) return out.line(SYMBOL.toolResult, `${toolName} failed: ${inline(error)}`, "red");
    this.toolRuns.set(toolName, (this.toolRuns.get(toolName) ?? 0) + 1);
    out.line(SYMBOL.toolResult, `${toolName} ran: ${inline(result ?? "")}`, "magenta");
  }
}
