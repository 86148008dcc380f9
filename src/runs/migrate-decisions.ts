import { withDefaults } from "./compact.js";
import { STEP_OUTPUT_SHAPE, TOOL_EXECUTION_SHAPE } from "./shapes.js";

/**
 * Version 3 of the run state (and version 2 of requirement JSON) replaced the flat requirement
 * record of earlier versions (29 fields, most of them null for any one gate kind) with one variant
 * per gate kind and a `decision` in kern's one vocabulary. These pure functions turn the old form
 * into the new; they never read anything else.
 */

type Json = Record<string, unknown>;

/** The defaults version-2 rows were stored against (fields equal to them were left out). */
const V2_STEP_REQUIREMENT_DEFAULTS: Json = {
  stepIndex: 0,
  stepType: "Step",
  message: null,
  onReject: "skip",
  confirmed: null,
  rejectionFeedback: null,
  userInputSchema: null,
  userInput: null,
  availableChoices: null,
  allowMultipleSelections: false,
  selectedChoices: null,
  stepOutput: null,
  editedOutput: null,
  retryCount: 0,
  maxRetries: 3,
  errorMessage: null,
  errorDecision: null,
  executorRequirements: [],
  executorId: null,
  executorName: null,
  executorRunId: null,
  timeoutAt: null,
  onTimeout: null,
  timedOut: false,
  frozen: false,
  recovered: false,
};

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A version-2 (or version-1 JSON) `resolution` of a tool call, as a decision. */
export function toolDecisionFromResolution(resolution: unknown): Json | null {
  if (!isObject(resolution)) return null;
  switch (resolution["type"]) {
    case "confirmed":
      return { type: "confirm" };
    case "rejected":
      return { type: "reject", feedback: resolution["note"] ?? null };
    case "userInput":
      return { type: "input", values: resolution["values"] };
    case "externalResult":
      return { type: "result", result: resolution["result"] };
    default:
      return resolution;
  }
}

/** A tool requirement of the old form (`resolution`) in the new (`decision`). */
export function migrateToolRequirement(requirement: unknown): unknown {
  if (!isObject(requirement) || !("resolution" in requirement)) return requirement;
  const { resolution, ...rest } = requirement;
  return { ...rest, decision: toolDecisionFromResolution(resolution) };
}

/** A tool call of an old executor requirement, stored sparse against the version-2 defaults. */
function migrateCall(call: unknown): unknown {
  if (!isObject(call)) return call;
  const requirement = isObject(call["requirement"])
    ? { kind: "confirmation", resolution: null, frozen: false, recovered: false, ...call["requirement"] }
    : call["requirement"];
  return {
    ...call,
    requirement: migrateToolRequirement(requirement),
    execution: withDefaults(call["execution"], TOOL_EXECUTION_SHAPE),
  };
}

/** The decision an old flat requirement recorded in `confirmed`, `editedOutput` and the like. */
function decisionOf(old: Json): Json | null {
  if (old["timedOut"] === true) return { type: "timeout" };
  if (old["kind"] === "error") return old["errorDecision"] === null ? null : { type: old["errorDecision"] };
  if (old["confirmed"] === false) return { type: "reject", feedback: old["rejectionFeedback"] ?? null };
  if (old["confirmed"] !== true) return null;
  switch (old["kind"]) {
    case "userInput":
      return { type: "input", values: old["userInput"] ?? {} };
    case "route":
      return { type: "select", choices: old["selectedChoices"] ?? [] };
    case "outputReview":
    case "iterationReview":
      return old["editedOutput"] === null ? { type: "confirm" } : { type: "edit", output: old["editedOutput"] };
    default:
      return { type: "confirm" };
  }
}

/** An old flat step requirement (stored sparse against version-2 defaults) as its kind's variant. */
export function migrateStepRequirement(input: unknown): unknown {
  if (!isObject(input)) return input;
  const old: Json = { ...V2_STEP_REQUIREMENT_DEFAULTS, ...input };
  const base = {
    id: old["id"],
    stepName: old["stepName"],
    stepIndex: old["stepIndex"],
    stepPath: old["stepPath"],
    stepType: old["stepType"],
    message: old["message"],
    frozen: old["frozen"],
    recovered: old["recovered"],
  };
  const timeout = old["timeoutAt"] === null ? null : { at: old["timeoutAt"], onTimeout: old["onTimeout"] ?? "cancel" };
  const gate = { ...base, onReject: old["onReject"], timeout, decision: decisionOf(old) };
  const retried = { retryCount: old["retryCount"], maxRetries: old["maxRetries"] };
  switch (old["kind"]) {
    case "userInput":
      return { ...gate, kind: "userInput", fields: old["userInputSchema"] ?? [] };
    case "route":
      return {
        ...gate,
        ...retried,
        kind: "route",
        choices: old["availableChoices"] ?? [],
        allowMultipleSelections: old["allowMultipleSelections"],
      };
    case "outputReview":
    case "iterationReview":
      return {
        ...gate,
        ...retried,
        kind: old["kind"],
        output: withDefaults(old["stepOutput"] ?? { stepName: old["stepName"] }, STEP_OUTPUT_SHAPE),
      };
    case "error":
      return { ...base, kind: "error", errorMessage: old["errorMessage"] ?? "", decision: decisionOf(old) };
    case "executor": {
      const calls = Array.isArray(old["executorRequirements"]) ? old["executorRequirements"] : [];
      const executor = {
        id: old["executorId"] ?? "",
        name: old["executorName"] ?? "",
        runId: old["executorRunId"] ?? "",
      };
      return { ...base, kind: "executor", executor, calls: calls.map(migrateCall) };
    }
    default:
      return { ...gate, kind: old["kind"] };
  }
}

/** Agent run state version 2 to 3. */
export function migrateAgentRunV2(state: Json): Json {
  const requirements = Array.isArray(state["requirements"]) ? state["requirements"] : [];
  return { ...state, requirements: requirements.map(migrateToolRequirement) };
}

/** Workflow run state version 2 to 3 (frames kept every field, so only requirements change). */
export function migrateWorkflowRunV2(state: Json): Json {
  const requirements = Array.isArray(state["stepRequirements"]) ? state["stepRequirements"] : [];
  return { ...state, stepRequirements: requirements.map(migrateStepRequirement) };
}
