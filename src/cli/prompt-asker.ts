import { confirm, isCancel, multiselect, select, text } from "@clack/prompts";
import type { PausedToolCall } from "../agent/index.js";
import type { PauseAsker, PauseDecision, ToolDecision } from "./decision.js";
import { type FormField, formFields, parseFieldValue } from "./form.js";
import type { PauseQuestion } from "./pause-question.js";

/** Thrown inside the prompts when the person presses Ctrl-C or Escape: the run stays paused. */
class PromptCancelled extends Error {}

async function answered<T>(prompt: Promise<T | symbol>): Promise<Exclude<T, symbol>> {
  const value = await prompt;
  if (isCancel(value)) throw new PromptCancelled("cancelled");
  return value as Exclude<T, symbol>;
}

interface Choice<T extends string> {
  value: T;
  label: string;
  hint?: string;
}

async function choose<T extends string>(message: string, options: Array<Choice<T>>): Promise<T> {
  const plain: Array<Choice<string>> = options;
  const picked = await answered(select<string>({ message, options: plain }));
  const chosen = options.find((option) => option.value === picked);
  if (chosen === undefined) throw new Error(`The prompt returned an unknown choice '${picked}'.`);
  return chosen.value;
}

async function optionalText(message: string, initialValue?: string): Promise<string | null> {
  const value = await answered(
    text({
      message,
      placeholder: "press Enter to leave empty",
      ...(initialValue === undefined ? {} : { initialValue }),
    }),
  );
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

async function askField(field: FormField): Promise<unknown> {
  const label = `${field.name}${field.description === null ? "" : ` — ${field.description}`}`;
  if (field.type === "boolean") return answered(confirm({ message: label }));
  if (field.choices !== null) {
    const options = field.choices.map((choice, index) => ({ value: String(index), label: String(choice) }));
    const picked = await choose(label, options);
    return field.choices[Number(picked)];
  }
  const raw = await answered(
    text({
      message: `${label}${field.required ? "" : " (optional)"}`,
      validate: (value) => {
        const parsed = parseFieldValue(field, value ?? "");
        return parsed.ok ? undefined : parsed.problem;
      },
    }),
  );
  const parsed = parseFieldValue(field, raw);
  return parsed.ok ? parsed.value : undefined;
}

/** Asks each field of a flat object schema in turn; empty optional fields are left out. */
async function askForm(schema: Record<string, unknown>): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const field of formFields(schema)) {
    const value = await askField(field);
    if (value !== undefined) values[field.name] = value;
  }
  return values;
}

async function askToolCall(call: PausedToolCall, stepAgent: string): Promise<ToolDecision> {
  const base = { requirementId: call.requirementId, toolName: call.toolName };
  // A sub-agent's call: the agent that calls the tool is the last one its path names.
  const agentName = call.path.length > 2 ? (call.path.at(-2) ?? stepAgent) : stepAgent;
  const action = call.kind === "confirmation" ? "approve" : call.kind === "userInput" ? "fill" : "result";
  const labels = {
    approve: `Approve: let ${agentName} call ${call.toolName}`,
    fill: `Fill in ${call.toolName}'s input`,
    result: `I ran ${call.toolName}: type its result`,
  };
  const choice = await choose(`${call.toolName}: what should happen?`, [
    { value: action, label: labels[action] },
    { value: "reject", label: `Reject: ${call.toolName} does not run`, hint: "the agent is told, with your note" },
  ]);
  switch (choice) {
    case "approve":
      return { ...base, decision: { type: "confirm" } };
    case "fill":
      return { ...base, decision: { type: "input", values: await askForm(call.userInputSchema ?? {}) } };
    case "result":
      return {
        ...base,
        decision: { type: "result", result: (await optionalText(`Result of ${call.toolName}`)) ?? "" },
      };
    case "reject":
      return { ...base, decision: { type: "reject", feedback: await optionalText("A note for the agent (optional)") } };
  }
}

async function askReject(): Promise<PauseDecision> {
  return { type: "reject", feedback: await optionalText("Why? Feedback for the workflow (optional)") };
}

async function askRoute(question: PauseQuestion): Promise<PauseDecision> {
  const choices = question.choices ?? [];
  if (question.allowMultipleSelections) {
    const options = choices.map((choice) => ({ value: choice, label: choice }));
    const picked = await answered(
      multiselect<string>({
        message: `Which routes should ${question.stepName} run? (none = reject)`,
        options,
        required: false,
      }),
    );
    return picked.length === 0 ? askReject() : { type: "select", choices: picked };
  }
  const reject = "\u0000reject";
  const picked = await choose(`Which route should ${question.stepName} take?`, [
    ...choices.map((choice) => ({ value: choice, label: choice })),
    { value: reject, label: "None: reject", hint: "the router is skipped or cancelled" },
  ]);
  return picked === reject ? askReject() : { type: "select", choices: [picked] };
}

async function askReview(question: PauseQuestion): Promise<PauseDecision> {
  const choice = await choose(`Keep the output of ${question.stepName}?`, [
    { value: "confirm", label: "Approve: keep it" },
    { value: "edit", label: "Edit it before it flows on" },
    { value: "reject", label: "Reject", hint: "with feedback" },
  ]);
  if (choice === "confirm") return { type: "confirm" };
  if (choice === "reject") return askReject();
  return { type: "edit", output: (await optionalText("The new output", question.stepOutput ?? "")) ?? "" };
}

async function askStep(question: PauseQuestion): Promise<PauseDecision> {
  switch (question.kind) {
    case "confirmation": {
      const choice = await choose(`Run ${question.stepName}?`, [
        { value: "confirm", label: `Approve: run ${question.stepName}` },
        { value: "reject", label: "Reject", hint: "with optional feedback" },
      ]);
      return choice === "confirm" ? { type: "confirm" } : askReject();
    }
    case "userInput": {
      const choice = await choose(`Answer ${question.stepName}'s questions?`, [
        { value: "answer", label: "Answer" },
        { value: "reject", label: "Reject", hint: "the step does not run" },
      ]);
      return choice === "answer"
        ? { type: "userInput", values: await askForm(question.inputSchema ?? {}) }
        : askReject();
    }
    case "route":
      return askRoute(question);
    case "outputReview":
    case "iterationReview":
      return askReview(question);
    case "error":
      return {
        type: await choose(`${question.stepName} failed. Now what?`, [
          { value: "retry", label: "Retry the step" },
          { value: "skip", label: "Skip it and move on" },
        ]),
      };
    case "executor": {
      const calls: ToolDecision[] = [];
      for (const call of question.toolCalls ?? [])
        calls.push(await askToolCall(call, question.agentName ?? "the agent"));
      return { type: "tools", calls };
    }
    default: {
      const unreachable: never = question.kind;
      throw new Error(`Unknown pause ${String(unreachable)}`);
    }
  }
}

/** Asks a person in the terminal (arrow keys, Enter); Ctrl-C leaves the run paused. */
export function promptAsker(): PauseAsker {
  return {
    who: "you",
    ask: async (question) => {
      try {
        return await askStep(question);
      } catch (error) {
        if (error instanceof PromptCancelled) return null;
        throw error;
      }
    },
  };
}
