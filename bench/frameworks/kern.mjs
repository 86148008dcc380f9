// kern's side of the dual-HITL cycle: a Step gated before it runs, whose agent calls a gated
// tool. Per phase, a fresh object graph (model, Agent, Workflow and, where the store allows it,
// the Db object) continues from what the store holds; a long-running service builds the
// Workflow and its Db once. The tool is defined once either way.
import { z } from "zod";
import { Agent } from "kern/agent";
import { tool } from "kern/tools";
import { Step, Workflow } from "kern/workflow";
import { check } from "../lib/stats.mjs";

export const INPUT = "Send a weather alert for Tokyo about heavy rain";
export const TOOL_ARGS = { city: "Tokyo", message: "Heavy rain expected tonight." };
export const FINAL_TEXT = "Alert sent for Tokyo.";

/**
 * An instant in-process model: turn 1 asks for send_alert, turn 2 (after the tool result)
 * answers with text. It records nothing, so the cycle measures kern, not the test double.
 */
export class InstantModel {
  provider = "bench";
  id = "instant";
  async generate(request) {
    const last = request.messages[request.messages.length - 1];
    if (last?.role === "tool") return { text: FINAL_TEXT, toolCalls: [] };
    return { text: "", toolCalls: [{ id: "call_1", name: "send_alert", arguments: JSON.stringify(TOOL_ARGS) }] };
  }
  async *stream(request) {
    yield { type: "response", response: await this.generate(request) };
  }
}

/** Counts real executions of the tool; each cycle resets it. */
export const effects = { sent: 0 };

/** The tool, defined once at module scope as users write it (see README.md). */
export const sendAlert = tool({
  name: "send_alert",
  description: "Send a weather alert for a city.",
  parameters: z.object({ city: z.string(), message: z.string() }),
  requiresConfirmation: true,
  execute: ({ city, message }) => {
    effects.sent += 1;
    return `Alert sent for ${city}: ${message}`;
  },
});

/** The agent, built anew for each phase (a fresh object graph). */
export function buildAgent(db) {
  return new Agent({
    name: "AlertAgent",
    instructions: "You send weather alerts with the send_alert tool, then say what you did in one sentence.",
    model: new InstantModel(),
    tools: [sendAlert],
    db,
  });
}

export function buildWorkflow(db) {
  return new Workflow({
    name: "DualConfirmation",
    db,
    steps: [
      new Step({
        name: "send_alert",
        agent: buildAgent(db),
        requiresConfirmation: true,
        confirmationMessage: "Proceed with sending the alert?",
      }),
    ],
  });
}

/**
 * What an approver is shown before deciding: the run loaded from the store by id, as an approval
 * page loads it, and its pending gate rendered as text. Returns that text.
 */
export async function showPaused(workflow, runId, sessionId) {
  const run = await workflow.getRunOutput(runId, sessionId);
  const requirement = run.stepRequirements.at(-1);
  check(run.isPaused && requirement !== undefined, "the loaded run is paused with a requirement");
  const call = requirement.executorRequirements?.[0]?.toolExecution;
  return call === undefined
    ? `${requirement.stepName}: ${requirement.confirmationMessage}`
    : `${call.toolName}(${JSON.stringify(call.toolArgs)})`;
}

/**
 * Returns `cycle()`, which runs one checked dual-HITL cycle. `openDb()` gives the Db object for a
 * phase and `closeDb(db)` releases it; for a fresh object graph they create and close one per
 * phase. `workflowOf(db)` gives the phase's Workflow: by default a new one (Agent, model and all)
 * each phase; a long-running service passes one built once. `cycle({ show: true })` loads and
 * shows the paused run before each approval; `cycle({ onPause2 })` calls `onPause2(db, refs)`
 * while the run is paused the second time.
 */
export function kernCycle({ openDb, closeDb, workflowOf = buildWorkflow }) {
  return async function cycle({ onPause2, show = false } = {}) {
    effects.sent = 0;

    // (1) run -> pause 1 (the step's confirmation) -> stored.
    let db = await openDb();
    const first = await workflowOf(db).run(INPUT);
    check(first.isPaused && first.pauseKind === "step", `pause 1 is the step gate (got ${first.status}/${first.pauseKind})`);
    const stepRequirement = first.stepRequirements.at(-1);
    check(stepRequirement?.stepName === "send_alert" && stepRequirement.requiresConfirmation, "pause 1 asks to confirm step send_alert");
    check(effects.sent === 0, "no tool ran before pause 1");
    const { runId, sessionId } = first;
    const stepRequirementId = stepRequirement.id;
    await closeDb(db);

    // (2) fresh graph -> approve the step -> continue -> pause 2 (the tool's confirmation) -> stored.
    db = await openDb();
    let workflow = workflowOf(db);
    if (show) check((await showPaused(workflow, runId, sessionId)).startsWith("send_alert:"), "the approver is shown the step gate");
    const second = await workflow.continueRun({
      runId,
      sessionId,
      decisions: [{ requirementId: stepRequirementId, decision: { type: "confirm" } }],
    });
    check(second.isPaused && second.pauseKind === "executor", `pause 2 is the tool gate (got ${second.status}/${second.pauseKind})`);
    const executorRequirement = second.stepRequirements.at(-1);
    const calls = executorRequirement?.executorRequirements ?? [];
    check(calls.length === 1 && calls[0].toolExecution.toolName === "send_alert", "pause 2 asks to confirm send_alert");
    check(effects.sent === 0, "the gated tool did not run before its approval");
    const toolRequirementId = calls[0].id;
    if (onPause2 !== undefined) {
      const agentRunId = second.toJSON().executorRuns[0]?.runId;
      await onPause2(db, { runId, agentRunId });
    }
    await closeDb(db);

    // (3) fresh graph -> approve the tool call -> continue -> the tool runs once -> completed.
    db = await openDb();
    workflow = workflowOf(db);
    if (show) check((await showPaused(workflow, runId, sessionId)).startsWith("send_alert({"), "the approver is shown the tool call");
    const done = await workflow.continueRun({
      runId,
      sessionId,
      decisions: [{ requirementId: toolRequirementId, decision: { type: "confirm" } }],
    });
    check(done.status === "completed", `run completed (got ${done.status})`);
    check(effects.sent === 1, `the tool ran exactly once (ran ${effects.sent} times)`);
    check(done.content === FINAL_TEXT, `final content (got ${JSON.stringify(done.content)})`);
    await closeDb(db);
  };
}

/** Bytes of the `state` column of the workflow row and the agent row at pause 2. */
export async function storedStateBytes(db, { runId, agentRunId }) {
  const workflowRow = await db.getRun("workflow", runId);
  const agentRow = await db.getRun("agent", agentRunId);
  check(workflowRow !== null && agentRow !== null, "both rows are stored at pause 2");
  return {
    total: Buffer.byteLength(workflowRow.state) + Buffer.byteLength(agentRow.state),
    workflow: Buffer.byteLength(workflowRow.state),
    agent: Buffer.byteLength(agentRow.state),
  };
}
