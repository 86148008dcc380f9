import { describeField, formFields } from "./form.js";
import type { PauseQuestion } from "./pause-question.js";
import { argumentLines } from "./terminal.js";

/** What a person sees at a pause: a title and labelled lines (step, message, tool, arguments). */
export interface PauseView {
  title: string;
  lines: string[];
}

function labelled(label: string, values: readonly string[]): string[] {
  return values.map((value, index) => `${(index === 0 ? label : "").padEnd(10)}${value}`);
}

function title(question: PauseQuestion): string {
  const step = `${question.stepType === "Step" ? "step" : question.stepType} ${question.stepName}`;
  switch (question.kind) {
    case "confirmation":
      return `${step} waits for your approval`;
    case "userInput":
      return `${step} needs your input`;
    case "route":
      return `${step} asks which route to take`;
    case "outputReview":
      return `review the output of ${step}`;
    case "iterationReview":
      return `review this iteration of ${step}`;
    case "error":
      return `${step} failed`;
    case "executor":
      return `${question.agentName ?? "the agent"} wants to call a tool`;
    default: {
      const unreachable: never = question.kind;
      return `paused (${String(unreachable)})`;
    }
  }
}

/**
 * Where a pause stands, as a breadcrumb from the workflow through its components (and, for a tool
 * call, the agents that lead to it) to what asks: "Incident › respond › Coordinator › Notifier › page_oncall".
 */
export function breadcrumb(question: PauseQuestion, toolPath: readonly string[] = []): string {
  const path = question.path.length > 0 ? question.path : [question.stepName];
  return [question.workflowName, ...path, ...toolPath].join(" › ");
}

function toolLines(question: PauseQuestion): string[] {
  return (question.toolCalls ?? []).flatMap((call) => [
    ...labelled("path", [breadcrumb(question, call.path)]),
    ...labelled("tool", [
      call.kind === "confirmation"
        ? call.toolName
        : `${call.toolName} (${call.kind === "userInput" ? "needs your input" : "you run it"})`,
    ]),
    ...labelled("arguments", argumentLines(call.toolArgs)),
    ...(call.userInputSchema === null ? [] : labelled("input", formFields(call.userInputSchema).map(describeField))),
  ]);
}

/**
 * The pause as labelled lines; only what this kind of pause needs to decide is shown. `number`
 * counts the pauses answered in this session, for the title.
 */
export function pauseView(question: PauseQuestion, number: number): PauseView {
  const lines = [
    ...labelled("step", [`${question.stepName} (${question.stepType})`]),
    ...(question.kind === "executor" ? [] : labelled("path", [breadcrumb(question)])),
    ...(question.message === null ? [] : labelled("message", question.message.split("\n"))),
    ...toolLines(question),
    ...(question.inputSchema === null ? [] : labelled("input", formFields(question.inputSchema).map(describeField))),
    ...(question.choices === null
      ? []
      : labelled("choices", [
          question.choices.join(", ") + (question.allowMultipleSelections ? " (one or more)" : ""),
        ])),
    ...(question.stepOutput === null ? [] : labelled("output", question.stepOutput.split("\n"))),
    ...(question.errorMessage === null ? [] : labelled("error", question.errorMessage.split("\n"))),
    ...(question.timeoutAt === null ? [] : labelled("deadline", [new Date(question.timeoutAt).toISOString()])),
    ...labelled("run", [question.runId]),
  ];
  return { title: `Pause ${number}: ${title(question)}`, lines };
}
