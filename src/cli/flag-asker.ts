import type { PausedToolCall } from "../agent/index.js";
import type { PauseAsker, PauseDecision, ToolDecision } from "./decision.js";
import { type FormField, formFields, parseFieldValue } from "./form.js";
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

/**
 * Refuses `--set` names that are not fields of the form being filled (a typo would otherwise be
 * ignored and a default used), except names an earlier pause of this command used.
 */
function checkNames(fields: readonly FormField[], answers: FlagAnswers, used: Set<string>, asker: string): void {
  const known = new Set(fields.map((field) => field.name));
  const unknown = [...answers.values.keys()].filter((name) => !known.has(name) && !used.has(name));
  if (unknown.length === 0) return;
  const listed =
    fields.length === 0 ? "it has no fields" : `its fields: ${fields.map((field) => field.name).join(", ")}`;
  throw new UnanswerablePauseError(
    `--set ${unknown.join(", ")}: the form of ${asker} has no field ${unknown.map((name) => `'${name}'`).join(" or ")}; ${listed}. ` +
      `(For a form at a later pause, answer one pause at a time: kern runs continue <run id> --once --approve --set ….)`,
  );
}

function formValues(
  schema: Record<string, unknown>,
  answers: FlagAnswers,
  asker: string,
  used: Set<string>,
): Record<string, unknown> {
  const fields = formFields(schema);
  checkNames(fields, answers, used, asker);
  for (const field of fields) if (answers.values.has(field.name)) used.add(field.name);
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = answers.values.get(field.name);
    if (raw === undefined) {
      if (answers.defaults[field.name] !== undefined) values[field.name] = answers.defaults[field.name];
      else if (field.required)
        throw new UnanswerablePauseError(
          `${asker} asks for '${field.name}'; pass --set ${field.name}=<value> with --approve.`,
        );
      continue;
    }
    const parsed = parseFieldValue(field, raw);
    if (!parsed.ok) throw new UnanswerablePauseError(`--set ${field.name}: ${parsed.problem}.`);
    if (parsed.value !== undefined) values[field.name] = parsed.value;
  }
  return values;
}

function approveCall(call: PausedToolCall, answers: FlagAnswers, used: Set<string>): ToolDecision {
  const base = { requirementId: call.requirementId, toolName: call.toolName };
  switch (call.kind) {
    case "confirmation":
      return { ...base, decision: { type: "confirm" } };
    case "userInput":
      return {
        ...base,
        decision: {
          type: "input",
          values: formValues(call.userInputSchema ?? {}, answers, `Tool ${call.toolName}`, used),
        },
      };
    case "externalExecution":
      throw new UnanswerablePauseError(
        `Tool ${call.toolName} must be run by you and its result typed in; answer this pause in a terminal, without --approve.`,
      );
    default: {
      const unreachable: never = call.kind;
      throw new UnanswerablePauseError(`Unknown tool requirement ${String(unreachable)}.`);
    }
  }
}

function chooseRoute(question: PauseQuestion, answers: FlagAnswers, used: Set<string>): PauseDecision {
  const choices = question.choices ?? [];
  const given = answers.values.get(question.stepName);
  if (given !== undefined) used.add(question.stepName);
  const chosen = given ?? choices[0];
  if (chosen === undefined) throw new UnanswerablePauseError(`Router ${question.stepName} offers no choice.`);
  if (!choices.includes(chosen))
    throw new UnanswerablePauseError(
      `--set ${question.stepName}=${chosen}: Router ${question.stepName} offers ${choices.join(", ")}.`,
    );
  return { type: "select", choices: [chosen] };
}

function approve(question: PauseQuestion, answers: FlagAnswers, used: Set<string>): PauseDecision {
  switch (question.kind) {
    case "confirmation":
    case "outputReview":
    case "iterationReview":
      return { type: "confirm" };
    case "userInput":
      return {
        type: "userInput",
        values: formValues(question.inputSchema ?? {}, answers, `Step ${question.stepName}`, used),
      };
    case "route":
      return chooseRoute(question, answers, used);
    case "error":
      return { type: "retry" };
    case "executor":
      return { type: "tools", calls: (question.toolCalls ?? []).map((call) => approveCall(call, answers, used)) };
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
      const calls = (question.toolCalls ?? []).map(
        (call): ToolDecision => ({
          requirementId: call.requirementId,
          toolName: call.toolName,
          decision: { type: "reject", feedback: NOTE },
        }),
      );
      return { type: "tools", calls };
    }
    default:
      return { type: "reject", feedback: NOTE };
  }
}

/**
 * Answers every pause the same way, without a terminal: `--approve` confirms (filling input
 * forms from `--set`, picking a router's first choice unless `--set <router>=<choice>`),
 * `--reject` rejects with a note (and skips failed steps). A `--set` name that is not a field of
 * the form it would fill is refused, naming the form's fields.
 */
export function flagAsker(answers: FlagAnswers): PauseAsker {
  const used = new Set<string>();
  return {
    who: `--${answers.mode}`,
    ask: async (question) => (answers.mode === "approve" ? approve(question, answers, used) : reject(question)),
    unused: () => [...answers.values.keys()].filter((name) => !used.has(name)),
  };
}
