import { ConfigurationError } from "../errors.js";

/** What a gate's policy answers: decide automatically ("allow", "deny") or ask a person. */
export type PolicyVerdict = "allow" | "deny" | "ask";

/** A verdict, optionally with the reason recorded in the decisions table (and, on deny, told to the model). */
export type PolicyAnswer = PolicyVerdict | { verdict: PolicyVerdict; reason?: string };

/** What a tool gate's policy is asked about: the call, and the run it belongs to. */
export interface ToolPolicyContext {
  gate: "tool";
  toolName: string;
  /** The arguments the model proposed (checked against the tool's parameters). */
  args: Readonly<Record<string, unknown>>;
  /** Where the tool comes from (e.g. "mcp:weather"), or null. */
  origin: string | null;
  run: { kind: "agent"; runId: string; sessionId: string; userId: string | null; agentName: string };
}

/** What a workflow gate's policy is asked about: the gate, what it shows, and the run. */
export interface StepPolicyContext {
  gate: "step";
  /** The gate's kind: "confirmation", "outputReview", "iterationReview", "userInput" or "route". */
  kind: string;
  stepName: string;
  stepType: string;
  /** The gate's question, if it has one. */
  message: string | null;
  /** The output under review (reviews only), else null. */
  output: string | null;
  run: { kind: "workflow"; runId: string; sessionId: string; userId: string | null; workflowName: string };
}

/**
 * Decides a workflow gate without a person when it can: "allow" approves it, "deny" rejects it
 * (its `onReject` applies), "ask" pauses as usual. "allow" decides confirmations and reviews only.
 */
export type StepPolicy = (context: StepPolicyContext) => PolicyAnswer | Promise<PolicyAnswer>;

/** A policy for any gate (a Workflow's default): the context says which kind of gate it is. */
export type AnyGatePolicy = (context: ToolPolicyContext | StepPolicyContext) => PolicyAnswer | Promise<PolicyAnswer>;

/**
 * Decides a tool gate without a person when it can: "allow" runs the call, "deny" rejects it
 * (the model is told, with the reason), "ask" pauses as usual. Sync or async. Its function name
 * is recorded as the policy's name in the decisions table: use a named function.
 */
export type ToolPolicy = (context: ToolPolicyContext) => PolicyAnswer | Promise<PolicyAnswer>;

/** A policy's answer, read strictly; the policy's name for the record. */
export interface PolicyOutcome {
  verdict: PolicyVerdict;
  reason: string | null;
  name: string;
}

/** Checks a `policy` option; `label` names its owner, e.g. "Tool 'pay'". */
export function checkPolicy(label: string, policy: unknown, hasGate: boolean): void {
  if (policy === undefined) return;
  if (typeof policy !== "function")
    throw new ConfigurationError(`${label}: policy must be a function (context) => "allow" | "deny" | "ask".`);
  if (!hasGate)
    throw new ConfigurationError(`${label} has no gate for a policy to decide; give it a gate or leave policy out.`);
}

function read(answer: unknown, name: string): PolicyOutcome {
  const verdict = typeof answer === "object" && answer !== null ? (answer as { verdict?: unknown }).verdict : answer;
  const reason = typeof answer === "object" && answer !== null ? (answer as { reason?: unknown }).reason : undefined;
  if (verdict !== "allow" && verdict !== "deny" && verdict !== "ask")
    throw new ConfigurationError(
      `Policy '${name}' answered ${JSON.stringify(answer)}; a policy answers "allow", "deny", "ask" or { verdict, reason }.`,
    );
  return { verdict, reason: typeof reason === "string" && reason !== "" ? reason : null, name };
}

/**
 * Asks a policy. A policy that throws or answers something else does not decide: the gate asks a
 * person (failing safe), and the problem is returned for the record.
 */
export async function askPolicy<C extends ToolPolicyContext | StepPolicyContext>(
  policy: (context: C) => PolicyAnswer | Promise<PolicyAnswer>,
  context: C,
): Promise<PolicyOutcome & { problem: string | null }> {
  const name = policy.name === "" ? "policy" : policy.name;
  try {
    return { ...read(await policy(context), name), problem: null };
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    return { verdict: "ask", reason: null, name, problem };
  }
}

/** Internal option: a workflow's default policy, for its step agents' tool gates without one. */
export const fallbackPolicy: unique symbol = Symbol("kern.fallbackPolicy");
