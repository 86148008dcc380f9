/**
 * The browser half of the inbox page, part 3: who decided a run's earlier gates, and when, read
 * from the run JSON (`decidedBy` and `decidedAt` of each decided gate and tool call), e.g.
 * "Step 'plan' confirmed by leo (lead) at 2026-12-02 10:01 UTC". Uses el() of
 * INBOX_FORMS_SCRIPT. No backticks or "${" in here: this is a template literal.
 */
export const INBOX_HISTORY_SCRIPT = String.raw`
const DECISION_WORDS = {
  confirm: "confirmed", reject: "rejected", input: "answered", result: "given a result", edit: "approved with edits",
  select: "routed", retry: "retried", skip: "skipped", timeout: "timed out",
};

function describeDecision(decision) {
  if (!decision) return "decided";
  const word = DECISION_WORDS[decision.type] || decision.type;
  if (decision.type === "confirm" && decision.args) return "approved with edited arguments";
  if (decision.type === "select") return word + " to " + (decision.choices || []).join(", ");
  if (decision.type === "reject" && decision.feedback) return word + " (" + decision.feedback + ")";
  return word;
}

/** "by leo (lead)", "by Fred Ames · fred (finance)", "by code", "by its deadline". */
function describeDecider(decidedBy) {
  if (!decidedBy) return "by someone the run did not record";
  switch (decidedBy.kind) {
    case "principal": {
      const roles = decidedBy.roles && decidedBy.roles.length > 0 ? " (" + decidedBy.roles.join(", ") + ")" : "";
      const name = decidedBy.name && decidedBy.name !== decidedBy.id ? decidedBy.name + " \u00B7 " : "";
      return "by " + name + decidedBy.id + roles;
    }
    case "code":
      return "by code";
    case "timeout":
      return "by its deadline";
    case "policy":
      return "by policy '" + decidedBy.name + "'" + (decidedBy.reason ? " (" + decidedBy.reason + ")" : "");
    default:
      return "by " + decidedBy.id;
  }
}

/** An ISO 8601 instant in UTC to the minute, the same for every reader: "2026-12-02 10:01 UTC". */
function describeInstant(iso) {
  if (!iso) return "";
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})[^Z]*Z$/.exec(iso);
  return " at " + (match ? match[1] + " " + match[2] + " UTC" : iso);
}

function historyLine(what, requirement) {
  return what + " " + describeDecision(requirement.decision) + " " + describeDecider(requirement.decidedBy) + describeInstant(requirement.decidedAt);
}

function isDecided(requirement) {
  return requirement.frozen === true || Boolean(requirement.decidedBy);
}

/** A workflow run's decided gates, and each decided tool call of its executor pauses, in order. */
function workflowHistory(run) {
  const lines = [];
  for (const requirement of run.stepRequirements || []) {
    if (requirement.kind !== "executor") {
      if (isDecided(requirement)) lines.push(historyLine("Step '" + requirement.stepName + "'", requirement));
      continue;
    }
    for (const call of requirement.calls || []) {
      if (isDecided(call.requirement)) lines.push(historyLine("Tool call " + call.execution.toolName + " of step '" + requirement.stepName + "'", call.requirement));
    }
  }
  return lines;
}

/** An agent run's decided tool calls, in order, its sub-agents' named by their path. */
function agentHistory(run) {
  if (run.decidedRequirements) {
    return run.decidedRequirements.filter(isDecided).map((requirement) => historyLine("Tool call " + (requirement.path || [requirement.toolName]).slice(1).join(" › "), requirement));
  }
  const names = new Map((run.tools || []).map((execution) => [execution.toolCallId, execution.toolName]));
  return (run.requirements || []).filter(isDecided).map((requirement) => historyLine("Tool call " + (names.get(requirement.toolCallId) || requirement.toolCallId), requirement));
}

/** "Earlier decisions" of a card, or null when there are none. */
function historyView(lines) {
  if (lines.length === 0) return null;
  return el("section", { class: "history" }, [el("p", { class: "label", text: "Earlier decisions" }), el("ul", {}, lines.map((line) => el("li", { text: line })))]);
}
`;
