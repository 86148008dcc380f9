// Type checks, not a runtime test: `npm run typecheck` (run by CI) fails if any line expected to
// be a type error compiles. An agent's continueRun and a workflow's take distinct inputs.

import type { StepDecision, ToolDecision } from "kern";
import type { Agent, RunOutput } from "kern/agent";
import type { Workflow, WorkflowRunOutput } from "kern/workflow";

export async function distinctInputs(
  agent: Agent,
  workflow: Workflow,
  agentRun: RunOutput,
  workflowRun: WorkflowRunOutput,
): Promise<void> {
  await agent.continueRun(agentRun);
  await workflow.continueRun(workflowRun);
  // @ts-expect-error a workflow's run is not an agent's
  await agent.continueRun(workflowRun);
  // @ts-expect-error an agent's run is not a workflow's
  await workflow.continueRun(agentRun);
  // @ts-expect-error an agent takes no stepRequirements
  await agent.continueRun({ runId: "r", sessionId: "s", stepRequirements: [] });
  // @ts-expect-error a workflow takes no requirements
  await workflow.continueRun({ runId: "r", sessionId: "s", requirements: [] });
}

export async function typedDecisions(agent: Agent, workflow: Workflow): Promise<void> {
  await agent.continueRun({
    runId: "r",
    sessionId: "s",
    decisions: [{ requirementId: "q", decision: { type: "input", values: { seats: 2 } } }],
  });
  await workflow.continueRun({
    runId: "r",
    sessionId: "s",
    decisions: [{ requirementId: "q", decision: { type: "select", choices: ["email"] } }],
  });
  await agent.continueRun({
    runId: "r",
    sessionId: "s",
    // @ts-expect-error a tool call takes no route selection
    decisions: [{ requirementId: "q", decision: { type: "select", choices: ["email"] } }],
  });
  await agent.continueRun({
    runId: "r",
    sessionId: "s",
    // @ts-expect-error the old vocabulary is gone
    decisions: [{ requirementId: "q", decision: { type: "confirmed" } }],
  });
  const tool: ToolDecision = { type: "reject", feedback: null };
  const step: StepDecision = { type: "edit", output: "better" };
  void [tool, step];
}
