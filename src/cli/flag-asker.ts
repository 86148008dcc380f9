import type { PausedToolCall } from "../agent/index.js";
import type { PauseAsker, PauseDecision, ToolDecision } from "./decision.js";
import { formFields, parseFieldValue } from "./form.js";
import type { PauseQuestion } from "./pause-question.js";
import { UsageError } from "./usage-error.js";

/** What `--approve` / `--reject` answer, and the values `--set` supplies for input forms. */
export interface FlagAnswers {
  mode: "approve" | "reject";
  /** Raw `--set name=value` entries, read by each form field's type. */
  values: ReadonlyMap<string, string>;
  /** Values to use when `--set` gives none (a demo scenario's sample answers). */
  defaults: Readonly<Record<string, unknown>>;
}

/** A pause the flags cannot answer (exit code 2); the message says what to pass instead. */
export class UnanswerablePauseError extends UsageError {
  override readonly name = "UnanswerablePauseError";
}

const NOTE = "Rejected from the command line.";

function formValues(schema: Record<string, unknown>, answers: FlagAnswers, asker: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of formFields(schema)) {
    const raw = answers.values.get(field.name);
    if (raw === undefined) {
      if (answers.defaults[field.name] !== undefined) values[field.name] = answers.defaults[field.name];
      else if (field.required) throw new UnanswerablePauseError(`${asker} asks for '${field.name}'; pass --set ${field.name}=<value> with --approve.`);
      continue;
    }
    const parsed = parseFieldValue(field, raw);
    if (!parsed.ok) throw new UnanswerablePauseError(`--set ${field.name}: ${parsed.problem}.`);
    if (parsed.value !== undefined) values[field.name] = parsed.value;
  }
  return values;
}

function approveCall(call: PausedToolCall, answers: FlagAnswers): ToolDecision {
  const base = { requirementId: call.requirementId, toolName: call.toolName };
  switch (call.kind) {
    case "confirmation":
      return { ...base, resolution: { type: "confirmed" } };
    case "userInput":
      return { ...base, resolution: { type: "userInput", values: formValues(call.userInputSchema ?? {}, answers, `Tool ${call.toolName}`) } };
    case "externalExecution":
      throw new UnanswerablePauseError(`Tool ${call.toolName} must be run by you and its result typed in; answer this pause in a terminal, without --approve.`);
    default: {
      const unreachable: never = call.kind;
      throw new UnanswerablePauseError(`Unknown tool requirement ${String(unreachable)}.`);
    }
  }
}

function approve(question: PauseQuestion, answers: FlagAnswers): PauseDecision {
  switch (question.kind) {
    case "confirmation":
    case "outputReview":
    case "iterationReview":
      return { type: "confirm" };
    case "userInput":
      return { type: "userInput", values: formValues(question.inputSchema ?? {}, answers, `Step ${question.stepName}`) };
    case "route": {
      const chosen = answers.values.get(question.stepName) ?? question.choices?.[0];
      if (chosen === undefined) throw new UnanswerablePauseError(`Router ${question.stepName} offers no choice.`);
      return { type: "select", choices: [chosen] };
    }
    case "error":
      return { type: "retry" };
    case "executor":
      return { type: "tools", calls: (question.toolCalls ?? []).map((call) => approveCall(call, answers)) };
    default: {
      const unreachable: never = question.kind;
      throw new UnanswerablePauseError(`Unknown pause ${String(unreachable)}.`);
    }
  }
}

function reject(question: PauseQuestion): PauseDecision {
  switch (question.kind) {
    case "error":
      return { type: "skip" };
    case "executor": {
      const calls = (question.toolCalls ?? []).map((call): ToolDecision => ({ requirementId: call.requirementId, toolName: call.toolName, resolution: { type: "rejected", note: NOTE } }));
      return { type: "tools", calls };
    }
    default:
      return { type: "reject", feedback: NOTE };
  }
}

/**
 * Answers every pause the same way, without a terminal: `--approve` confirms (filling input
 * forms from `--set`, picking a router's first choice unless `--set <router>=<choice>`),
 * `--reject` rejects with a note (and skips failed steps).
 */
export function flagAsker(answers: FlagAnswers): PauseAsker {
  return {
    who: `--${answers.mode}`,
    ask: async (question) => (answers.mode === "approve" ? approve(question, answers) : reject(question)),
  };
}
