/**
 * The browser half of the inbox page, part 5: loads `/api/inbox?decidable=1` (only what the
 * signed-in principal may decide), fetches each run, renders what the person must decide with who
 * decided the run's earlier gates, and posts it to the run's continue endpoint as
 * `{ sessionId, decisions }`. A decision someone else made first (409), or one the server refuses
 * (403), shows the server's message on the card. Uses the helpers of the other parts (el,
 * showText, api, historyView). No backticks or "${" in here: this is a template literal.
 */
export const INBOX_SCRIPT = String.raw`
const listNode = document.getElementById("list");
const statusNode = document.getElementById("status");
const noticeNode = document.getElementById("notice");
const countNode = document.getElementById("count");

const KIND_LABELS = {
  confirmation: "Approve step", userInput: "Input needed", route: "Pick a route", outputReview: "Review output",
  iterationReview: "Review iteration", error: "Step failed", executor: "Approve tool call", agent: "Approve tool call",
};

function runPath(row) {
  const base = row.kind === "workflow" ? "api/workflows/" : "api/agents/";
  return base + encodeURIComponent(row.ownerId) + "/runs/" + encodeURIComponent(row.runId);
}

function shell(row, title, kind) {
  const error = el("p", { class: "card-error", role: "alert" });
  const body = el("div", { class: "card-body" });
  const since = new Date(row.createdAt).toLocaleString();
  const meta = el("p", { class: "meta", text: (row.kind === "workflow" ? "Workflow run " : "Agent run ") + row.runId + " · waiting since " + since });
  const head = el("header", { class: "card-head" }, [el("h2", { text: title }), el("span", { class: "badge badge-" + kind, text: KIND_LABELS[kind] || kind })]);
  return { node: el("article", { class: "card", "data-run-id": row.runId, "data-kind": kind }, [head, meta, body, error]), body, error };
}

function setBusy(card, busy) {
  card.node.classList.toggle("busy", busy);
  for (const control of card.node.querySelectorAll("button, input, textarea, select")) control.disabled = busy;
}

function describeOutcome(run) {
  const name = run.workflowName || run.agentName;
  if (run.status === "completed") return name + " completed" + (run.content ? ": " + run.content : ".");
  if (run.isPaused && run.mayDecide === false) return name + " now waits for someone else's decision.";
  if (run.isPaused) return name + " is waiting for the next decision, listed below.";
  return name + " is " + run.status + ".";
}

/**
 * The message a refused decision shows on its card. A 404 here means the run left this principal's
 * view between loading and deciding: someone decided first and the run moved to a gate not theirs.
 */
function describeRefusal(error) {
  if (error.status === 404) return "This decision was not recorded: the run is no longer open to you, most likely because someone else decided it first. (" + error.message + ")";
  return error.message;
}

async function continueRun(card, row, body) {
  setBusy(card, true);
  showText(card.error, "");
  try {
    const headers = { "content-type": "application/json" };
    const run = await api(runPath(row) + "/continue", { method: "POST", headers, body: JSON.stringify(body) });
    showText(noticeNode, describeOutcome(run));
    await load();
  } catch (error) {
    showText(card.error, describeRefusal(error));
    if (error.status === 409 || error.status === 404) {
      // Lost a race: keep this card, with the server's word on who decided first, above the fresh list.
      card.node.classList.replace("busy", "stale");
      await load([card.node]);
    } else {
      setBusy(card, false);
    }
  }
}

/** Tool calls decided one by one; once every call has a decision, submit(decisions) runs. */
function callsView(calls, submit) {
  const decisions = new Map();
  const progress = el("p", { class: "progress", text: calls.length > 1 ? "Decide each of the " + calls.length + " tool calls." : null });
  const nodes = calls.map((call, index) => {
    const view = toolCallView(call, (decision) => {
      decisions.set(index, decision);
      view.showDecision(decision);
      progress.textContent = "Decided " + decisions.size + " of " + calls.length + ".";
      if (decisions.size === calls.length) submit(decisions);
    });
    return view.node;
  });
  return el("div", { class: "calls" }, [...nodes, progress]);
}

/** An executor pause: each undecided tool call is decided under its own requirement id. */
function executorView(requirement, submit, where) {
  const undecided = requirement.calls.filter((entry) => entry.requirement.decision === null);
  if (undecided.length === 0) return el("div", { class: "actions" }, [button("Continue", "primary", () => submit([]))]);
  const calls = undecided.map((entry) => ({
    where: where.concat(entry.path || [entry.execution.toolName]).join(" › "),
    toolName: entry.execution.toolName, toolArgs: entry.execution.toolArgs, kind: entry.requirement.kind,
    userInputSchema: entry.execution.userInputSchema, recovered: entry.requirement.recovered,
    origin: entry.execution.origin, definitionChanged: entry.requirement.definitionChanged,
    editableArgs: entry.execution.editableArgs === true,
  }));
  return callsView(calls, (decisions) => {
    submit([...decisions].map(([position, decision]) => ({ requirementId: undecided[position].requirement.id, decision })));
  });
}

function routeView(requirement, send) {
  const type = requirement.allowMultipleSelections ? "checkbox" : "radio";
  const name = "route-" + requirement.id;
  const boxes = (requirement.choices || []).map((choice) => {
    const input = el("input", { type, name, value: choice });
    return { input, node: el("label", { class: "choice" }, [input, el("span", { text: choice })]) };
  });
  const pick = () => {
    const choices = boxes.filter((box) => box.input.checked).map((box) => box.input.value);
    if (choices.length === 0) throw new Error("Pick a route first.");
    send({ type: "select", choices });
  };
  return el("div", {}, [el("div", { class: "choices" }, boxes.map((box) => box.node)), actions(send, [button("Run selected", "primary", pick)])]);
}

function reviewView(requirement, send) {
  const content = (requirement.output && requirement.output.content) || "";
  const edited = el("textarea", { rows: "4", "aria-label": "Edited output" });
  edited.value = content;
  const approve = button("Approve", "primary", () => send({ type: "confirm" }));
  const edit = button("Approve with edits", "secondary", () => send({ type: "edit", output: edited.value }));
  return el("div", {}, [el("p", { class: "label", text: "Output to review" }), el("pre", { class: "output", text: content }), el("details", {}, [el("summary", { text: "Edit the output" }), edited]), actions(send, [approve, edit])]);
}

/** The buttons row: the given ones, then a note and Reject (for kinds a person can reject). */
function actions(send, buttons) {
  const note = noteInput("Feedback for a rejection (optional)");
  const reject = button("Reject", "danger", () => send({ type: "reject", feedback: note.value.trim() || null }));
  return el("div", { class: "actions" }, [...buttons, note, reject]);
}

/**
 * The controls of a workflow pause; send(decision) decides it, submit(decisions) decides tool calls.
 * where: the breadcrumb to the paused component, which each of its tool calls extends.
 */
function stepView(requirement, send, submit, where) {
  switch (requirement.kind) {
    case "confirmation":
      return actions(send, [button("Approve", "primary", () => send({ type: "confirm" }))]);
    case "userInput": {
      const form = formView(fieldsFromStep(requirement.fields));
      return el("div", {}, [form.node, actions(send, [button("Submit input", "primary", () => send({ type: "input", values: form.read() }))])]);
    }
    case "route":
      return routeView(requirement, send);
    case "outputReview":
    case "iterationReview":
      return reviewView(requirement, send);
    case "error":
      return el("div", {}, [el("pre", { class: "output", text: requirement.errorMessage || "" }), el("div", { class: "actions" }, [button("Retry", "primary", () => send({ type: "retry" })), button("Skip", "secondary", () => send({ type: "skip" }))])]);
    case "executor":
      return executorView(requirement, submit, where);
    default:
      return el("p", { text: "This kind of pause (" + requirement.kind + ") is not shown here; continue it through the API." });
  }
}

function workflowCard(row, run) {
  // A run paused in Parallel branches has one row (and one card) per branch: show this row's requirement.
  const requirement = (run.activeRequirements || []).find((entry) => entry.id === row.requirementId) || run.activeRequirement;
  const path = requirement ? (requirement.path && requirement.path.length > 0 ? requirement.path : [requirement.stepName]) : ["?"];
  const card = shell(row, [run.workflowName].concat(path).join(" › "), requirement ? requirement.kind : "none");
  if (!run.isPaused || !requirement) {
    card.body.append(el("p", { text: "This run no longer waits (it is " + run.status + ")." }));
    return card.node;
  }
  card.body.append(el("p", { class: "question", text: requirement.question || row.summary }));
  const history = historyView(workflowHistory(run));
  if (history) card.body.append(history);
  const submit = (decisions) => continueRun(card, row, { sessionId: run.sessionId, decisions });
  const send = (decision) => submit([{ requirementId: requirement.id, decision }]);
  card.body.append(stepView(requirement, send, submit, [run.workflowName].concat(path)));
  return card.node;
}

function agentCard(row, run) {
  const card = shell(row, run.agentName, "agent");
  const pending = run.activeRequirements || [];
  if (!run.isPaused || pending.length === 0) {
    card.body.append(el("p", { text: "This run no longer waits (it is " + run.status + ")." }));
    return card.node;
  }
  const calls = pending.map((requirement) => ({
    where: (requirement.path || [run.agentName, requirement.toolName]).join(" › "),
    toolName: requirement.toolName, toolArgs: requirement.toolArgs, kind: requirement.kind,
    userInputSchema: requirement.toolExecution.userInputSchema, recovered: requirement.recovered,
    origin: requirement.toolExecution.origin, definitionChanged: requirement.definitionChanged,
    editableArgs: requirement.toolExecution.editableArgs === true,
  }));
  const callers = new Set(pending.map((requirement) => (requirement.path || [run.agentName]).slice(0, -1).join(" › ")));
  card.body.append(el("p", { class: "question", text: [...callers].join(", ") + " wants to call " + calls.map((call) => call.toolName).join(", ") + "." }));
  const history = historyView(agentHistory(run));
  if (history) card.body.append(history);
  card.body.append(callsView(calls, (decisions) => {
    continueRun(card, row, { sessionId: run.sessionId, decisions: pending.map((requirement, index) => ({ requirementId: requirement.id, decision: decisions.get(index) })) });
  }));
  return card.node;
}

async function cardFor(row) {
  try {
    const run = await api(runPath(row) + "?sessionId=" + encodeURIComponent(row.sessionId));
    if (run.isPaused && run.mayDecide === false) {
      return el("article", { class: "card" }, [el("p", { class: "card-error", text: row.summary + " \u2014 this now waits for someone else's decision." })]);
    }
    return row.kind === "workflow" ? workflowCard(row, run) : agentCard(row, run);
  } catch (error) {
    return el("article", { class: "card" }, [el("p", { class: "card-error", text: row.summary + " \u2014 " + error.message })]);
  }
}

/** Lists what the signed-in principal may decide; kept cards (a lost race's) stay on top. */
async function load(kept) {
  showText(statusNode, "Loading\u2026");
  try {
    const page = await api("api/inbox?limit=100&decidable=1");
    signInNode.hidden = true;
    showSession();
    const seen = new Set();
    const rows = page.requirements.filter((row) => !seen.has(row.kind + ":" + row.runId) && seen.add(row.kind + ":" + row.runId));
    const cards = await Promise.all(rows.map(cardFor));
    // A 401 while loading the runs brought the sign-in form back; show no half-loaded list under it.
    if (!signInNode.hidden) return;
    const empty = cards.length === 0 ? [el("p", { class: "empty", text: "Nothing waits for a decision." })] : [];
    listNode.replaceChildren(...(kept || []), ...cards, ...empty);
    showText(countNode, rows.length === 1 ? "1 run waiting" : rows.length + " runs waiting");
    showText(statusNode, (page.nextAfter ? "Showing the oldest 100 requirements. " : "") + "Updated " + new Date().toLocaleTimeString() + ".");
    await loadGrants();
  } catch (error) {
    showText(statusNode, error.status === 401 ? "" : "Could not load the inbox: " + error.message);
  }
}

document.getElementById("refresh").addEventListener("click", () => {
  showText(noticeNode, "");
  load();
});
load();
`;
