import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { WorkflowEvent, WorkflowRunOutput } from "kern/workflow";
import { answers, build } from "./08_multi_step_mixed_hitl.js";
import { approveActive } from "./shared.js";

delete process.env["OPENAI_API_KEY"];

/** A compact, comparable line per event: its name and what it is about. */
function label(event: WorkflowEvent): string {
  switch (event.event) {
    case "ToolCallStarted":
    case "ToolCallCompleted":
      return `${event.event}:${event.toolName}`;
    case "RunStarted":
    case "RunContinued":
    case "RunPaused":
    case "RunCompleted":
      return `${event.event}:${event.agentName}`;
    case "RunContent":
      return "RunContent";
    default:
      return "stepName" in event ? `${event.event}:${event.stepName}` : event.event;
  }
}

/** Collapses each run of text deltas into one entry: their count depends on the words. */
function withoutDeltas(events: WorkflowEvent[]): string[] {
  return events.map(label).filter((name, index, all) => name !== "RunContent" || all[index - 1] !== "RunContent");
}

describe("scenario 8 as an event stream", () => {
  it("emits the exact event sequence of each of the five drives", async () => {
    const { workflow, plans, finalized } = build();
    const drives: string[][] = [];
    const pauses: WorkflowEvent[] = [];
    let stream = workflow.runStream("Plan a new project.");
    let run: WorkflowRunOutput;
    for (;;) {
      const events: WorkflowEvent[] = [];
      for await (const event of stream) events.push(event);
      drives.push(withoutDeltas(events));
      run = await stream.output;
      if (!run.isPaused) break;
      pauses.push(events.at(-1) as WorkflowEvent);
      if (run.stepsRequiringUserInput.length > 0) run.stepsRequiringUserInput[0]?.setUserInput(answers);
      else approveActive(run);
      stream = workflow.continueRunStream(run);
    }
    assert.deepEqual(drives, [
      ["WorkflowStarted", "StepStarted:gather_requirements", "StepPaused:gather_requirements"],
      [
        "StepContinued:gather_requirements",
        "StepCompleted:gather_requirements",
        "StepStarted:generate_plan",
        "StepPaused:generate_plan",
      ],
      [
        "StepContinued:generate_plan",
        "RunStarted:PlannerAgent",
        "RunPaused:PlannerAgent",
        "StepExecutorPaused:generate_plan",
      ],
      [
        "StepExecutorContinued:generate_plan",
        "RunContinued:PlannerAgent",
        "ToolCallStarted:create_plan",
        "ToolCallCompleted:create_plan",
        "RunContent",
        "RunCompleted:PlannerAgent",
        "StepCompleted:generate_plan",
        "StepStarted:review_plan",
        "RunStarted:ReviewerAgent",
        "RunPaused:ReviewerAgent",
        "StepExecutorPaused:review_plan",
      ],
      [
        "StepExecutorContinued:review_plan",
        "RunContinued:ReviewerAgent",
        "ToolCallStarted:finalize_plan",
        "ToolCallCompleted:finalize_plan",
        "RunContent",
        "RunCompleted:ReviewerAgent",
        "StepOutputReview:review_plan",
      ],
      ["StepContinued:review_plan", "StepCompleted:review_plan", "WorkflowCompleted"],
    ]);
    const [input, confirm, tool1, tool2, review] = pauses;
    assert.ok(
      input?.event === "StepPaused" && confirm?.event === "StepPaused" && tool1?.event === "StepExecutorPaused",
    );
    assert.ok(tool2?.event === "StepExecutorPaused" && review?.event === "StepOutputReview");
    assert.deepEqual(input.inputSchema, {
      type: "object",
      properties: {
        project_name: { type: "string", description: "The project's name" },
        scope: { type: "string", description: "What the plan must cover" },
      },
      required: ["project_name", "scope"],
      additionalProperties: false,
    });
    assert.equal(input.message, "Which project, and what is in scope?");
    assert.equal(confirm.message, "Generate a plan for this project?");
    assert.deepEqual(
      tool1.toolCalls?.map((call) => [call.toolName, call.toolArgs]),
      [["create_plan", { project_name: "Atlas", milestones: ["design", "build", "launch"] }]],
    );
    assert.deepEqual(
      tool2.toolCalls?.map((call) => [call.toolName, call.toolArgs]),
      [["finalize_plan", { project_name: "Atlas" }]],
    );
    assert.equal(review.stepOutput, "Final plan for Atlas: design, build, launch. Finalized.");
    assert.equal(run.status, "completed");
    assert.deepEqual([plans, finalized], [["Atlas"], ["Atlas"]]);
  });
});
