import {
  describeToolCall,
  type StepDecision,
  type StepRequirementKind,
  type StepRequirementState,
} from "../runs/index.js";

/** What a pause of each kind still needs, in the library's words (methods). */
export const NEEDS: Record<StepRequirementKind, string> = {
  confirmation: "call confirm() or reject(feedback)",
  userInput: "call setUserInput(values) or reject(feedback)",
  route: "call select(...choices) or reject(feedback)",
  outputReview: "call confirm(), edit(output) or reject(feedback)",
  iterationReview: "call confirm(), edit(output) or reject(feedback)",
  error: "call retry() or skip()",
  executor: "resolve each of executorRequirements (confirm(), reject(note), provideUserInput(values) ...)",
};

/** The decision types each kind takes, in the order a person usually picks them. */
export const DECISIONS: Record<StepRequirementKind, ReadonlyArray<StepDecision["type"]>> = {
  confirmation: ["confirm", "reject"],
  userInput: ["input", "reject"],
  route: ["select", "reject"],
  outputReview: ["confirm", "edit", "reject"],
  iterationReview: ["confirm", "edit", "reject"],
  error: ["retry", "skip"],
  executor: [],
};

/** One example of each decision, as JSON a client sends. */
const EXAMPLES: Record<StepDecision["type"], string> = {
  confirm: '{"type":"confirm"}',
  reject: '{"type":"reject","feedback":"why (optional)"}',
  input: '{"type":"input","values":{"field":"value"}}',
  select: '{"type":"select","choices":["name"]}',
  edit: '{"type":"edit","output":"the corrected output"}',
  retry: '{"type":"retry"}',
  skip: '{"type":"skip"}',
  timeout: '{"type":"timeout"}',
};

/** What a pause of each kind still needs, in the words of a client sending JSON decisions. */
export function accepts(kind: StepRequirementKind): string {
  if (kind === "executor") return "a decision for each of its tool calls, sent under each call's own requirement id";
  const examples = DECISIONS[kind].map((type) => EXAMPLES[type]);
  return `send one of ${examples.join(", ")}`;
}

/** The stored message, or for executor pauses a sentence naming the agent and its calls. */
export function requirementMessage(state: StepRequirementState): string | null {
  if (state.kind !== "executor") return state.message;
  // A sub-agent's call names the agents it came through: "page_oncall (via Notifier)".
  const calls = state.calls.map(
    (entry) =>
      describeToolCall(entry.execution, entry.requirement.definitionChanged) +
      (entry.path.length > 2 ? ` (via ${entry.path.slice(1, -1).join(" › ")})` : ""),
  );
  return `${state.executor.name || "The agent"} wants to call ${calls.join(", ")}; approve or reject each call.`;
}
