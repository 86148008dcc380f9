import type { RunOutput } from "../agent/index.js";
import type { SlackDecisionRef, SlackRequirementView } from "../channels/index.js";
import { type DecidedBy, describeDecider } from "../runs/index.js";
import type { WorkflowRunOutput } from "../workflow/index.js";

type AnyRun = WorkflowRunOutput | RunOutput;

/** One requirement of a stored run, as a Slack message shows it and as its decision reads. */
interface Found {
  where: string;
  question: string | null;
  toolName: string | null;
  args: Readonly<Record<string, unknown>> | null;
  confirmable: boolean;
  isFrozen: boolean;
  shownDigest: string;
  decisionType: string | null;
  decidedBy: Readonly<DecidedBy> | null;
  decidedAt: string | null;
}

function find(run: AnyRun, ownerId: string, requirementId: string): Found | undefined {
  if (!("stepRequirements" in run)) {
    const call = run.requirements.find((requirement) => requirement.id === requirementId);
    if (call === undefined) return undefined;
    const { toolName, toolArgs } = call.toolExecution;
    // A sub-agent's call names the agents that lead to it: "agent 'Planner', via Researcher".
    const where = `agent '${ownerId}'${via(call.path)}`;
    return { where, question: null, toolName, args: toolArgs, confirmable: call.needsConfirmation, ...decided(call) };
  }
  for (const step of run.stepRequirements) {
    // The path names the step inside any Parallel branches: "launch_checks / announce".
    const where = `workflow '${ownerId}', step '${step.path.join(" / ")}'`;
    if (step.id === requirementId && !step.requiresExecutorInput)
      return {
        where,
        question: step.message,
        toolName: null,
        args: null,
        confirmable: step.kind === "confirmation",
        ...decided(step),
      };
    const call = step.executorRequirements.find((requirement) => requirement.id === requirementId);
    if (call !== undefined) {
      const { toolName, toolArgs } = call.toolExecution;
      const inner = step.executorName === null ? where : `${where}, agent '${step.executorName}'${via(call.path)}`;
      return {
        where: inner,
        question: null,
        toolName,
        args: toolArgs,
        confirmable: call.needsConfirmation,
        ...decided(call),
      };
    }
  }
  return undefined;
}

/** The sub-agents between a run's agent and its tool call ("" for the agent's own call). */
function via(path: readonly string[]): string {
  return path.length > 2 ? `, via ${path.slice(1, -1).join(" › ")}` : "";
}

function decided(requirement: {
  isFrozen: boolean;
  shownDigest: string;
  decision: Readonly<{ type: string }> | null;
  decidedBy: Readonly<DecidedBy> | null;
  decidedAt: string | null;
}): Pick<Found, "isFrozen" | "shownDigest" | "decisionType" | "decidedBy" | "decidedAt"> {
  const { isFrozen, shownDigest, decision, decidedBy, decidedAt } = requirement;
  return { isFrozen, shownDigest, decisionType: decision?.type ?? null, decidedBy, decidedAt };
}

/**
 * What Slack messages show of a pause event's requirement while it is open: one view, or for a
 * workflow step's executor pause one per tool call still waiting; none once it was decided.
 */
export function slackViews(
  run: AnyRun,
  ref: Omit<SlackDecisionRef, "shownDigest">,
  inboxUrl: string | null,
): SlackRequirementView[] {
  if (!run.isPaused) return [];
  const step =
    "stepRequirements" in run ? run.stepRequirements.find((entry) => entry.id === ref.requirementId) : undefined;
  const ids =
    step?.requiresExecutorInput === true
      ? step.executorRequirements.filter((call) => !call.isFrozen).map((call) => call.id)
      : [ref.requirementId];
  return ids.flatMap((requirementId) => {
    const found = find(run, ref.ownerId, requirementId);
    if (found === undefined || found.isFrozen) return [];
    const { where, question, toolName, args, confirmable, shownDigest } = found;
    return [{ ref: { ...ref, requirementId, shownDigest }, where, question, toolName, args, confirmable, inboxUrl }];
  });
}

const VERBS: Readonly<Record<string, string>> = { confirm: "✅ Approved", reject: "❌ Rejected", timeout: "⌛ Lapsed" };

/**
 * What the stored run says of a requirement now: "✅ Approved by ann (sre) at …" once decided,
 * null while it is still open (or when the run has no such requirement).
 */
export function decidedOutcome(run: AnyRun, ownerId: string, requirementId: string): string | null {
  const found = find(run, ownerId, requirementId);
  if (found === undefined || !found.isFrozen) return null;
  const verb = VERBS[found.decisionType ?? ""] ?? `Decided (${found.decisionType ?? "closed"})`;
  return `${verb} by ${describeDecider(found.decidedBy, found.decidedAt)}`;
}

/** Whether the requirement is open and shows what `shownDigest` describes. */
export function showsStill(run: AnyRun, ref: SlackDecisionRef): boolean {
  const found = find(run, ref.ownerId, ref.requirementId);
  return found !== undefined && !found.isFrozen && run.isPaused && found.shownDigest === ref.shownDigest;
}
