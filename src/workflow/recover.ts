import { newId } from "../runs/new-id.js";
import type { Agent, RecoveredRun } from "../agent/index.js";
import type { Db } from "../db/db.js";
import { compareAndSave, expiredRuns, loadRun, type StepRequirementState, type WorkflowRunState } from "../runs/index.js";
import type { Component } from "./components/component.js";
import { findAgent, walk } from "./components/walk.js";
import { freeze } from "./continue-input.js";
import { executorRequirementsOf } from "./engine/step-execution.js";
import { workflowRunAccess } from "./workflow-run-access.js";

/** A new, undecided copy of a requirement, so a human decides again after a crash. */
function reopened(requirement: StepRequirementState): StepRequirementState {
  return {
    ...structuredClone(requirement),
    id: newId(),
    confirmed: null,
    rejectionFeedback: null,
    userInput: null,
    selectedChoices: null,
    editedOutput: null,
    errorDecision: null,
    timedOut: false,
    frozen: false,
  };
}

/**
 * Re-opens the pause a dead process had claimed. For a step-level gate the decision is asked
 * again (the step may have started). For an executor pause, the step's agent run (recovered
 * first) says what still needs a human; if it already finished, the continue picks up its output.
 */
async function reopen(state: WorkflowRunState, steps: readonly Component[], db: Db): Promise<void> {
  const active = state.stepRequirements.at(-1);
  if (active !== undefined && !active.frozen) {
    if (active.kind !== "executor") {
      freeze(active);
      state.stepRequirements.push(reopened(active));
    } else if (active.executorId !== null && active.executorRunId !== null) {
      const agent = findAgent(steps, active.executorId);
      const run = await agent?.getRunOutput(active.executorRunId, state.sessionId, { db: agent.ownDb ?? db });
      const pending = run?.isPaused === true ? executorRequirementsOf(run) : [];
      if (pending.length > 0) {
        freeze(active);
        state.stepRequirements.push({ ...reopened(active), executorRequirements: pending });
      }
    }
  }
  state.status = "paused";
}

/** Recovers the workflow's agents' runs, then its own runs whose claim expired. */
export async function recoverWorkflowRuns(workflowId: string, steps: readonly Component[], db: Db, now: number): Promise<{ workflowRuns: string[]; agentRuns: RecoveredRun[] }> {
  const agents = new Map<string, Agent>();
  for (const component of walk(steps)) {
    if (component.stepType === "Step" && component.agent !== undefined) agents.set(component.agent.id, component.agent);
  }
  const agentRuns: RecoveredRun[] = [];
  for (const agent of agents.values()) agentRuns.push(...(await agent.recover({ now, db: agent.ownDb ?? db })));
  const workflowRuns: string[] = [];
  for (const summary of await expiredRuns(db, "workflow", workflowId, now)) {
    const loaded = await loadRun(db, workflowRunAccess, summary.runId, summary.sessionId);
    if (loaded.state.status !== "running") continue;
    await reopen(loaded.state, steps, db);
    if (await compareAndSave(db, workflowRunAccess, loaded.state, loaded.revision)) workflowRuns.push(summary.runId);
  }
  return { workflowRuns, agentRuns };
}
