import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeModel } from "kern/testing";
import { build } from "./07_router_confirmation_and_tool_confirmation.js";

delete process.env["OPENAI_API_KEY"];

interface RouteCase {
  route: "restart" | "scale";
  input: string;
  agentName: string;
  choiceIndex: number;
  toolName: string;
  toolArgs: Record<string, unknown>;
  content: string;
}

const cases: RouteCase[] = [
  {
    route: "restart",
    input: "Restart the checkout service, it is stuck.",
    agentName: "RestartAgent",
    choiceIndex: 0,
    toolName: "restart_service",
    toolArgs: { service: "checkout" },
    content: "Restarted checkout.",
  },
  {
    route: "scale",
    input: "Scale the checkout service to 5 replicas.",
    agentName: "ScaleAgent",
    choiceIndex: 1,
    toolName: "scale_service",
    toolArgs: { service: "checkout", replicas: 5 },
    content: "Scaled checkout to 5 replicas.",
  },
];

describe("scenario 7: router confirmation + tool confirmation", () => {
  for (const routeCase of cases) {
    it(`confirms the router, then pauses on the ${routeCase.route} agent's tool; only that tool runs`, async () => {
      const { workflow, restarted, scaled, models } = build();
      const chosenModel = models[routeCase.route];
      const otherModel = models[routeCase.route === "restart" ? "scale" : "restart"];
      assert.ok(chosenModel instanceof FakeModel && otherModel instanceof FakeModel);

      const first = await workflow.run(routeCase.input);
      assert.equal(first.pauseKind, "step");
      const gate = first.stepsRequiringConfirmation;
      assert.deepEqual(
        gate.map((requirement) => [requirement.stepName, requirement.stepType]),
        [["ops_router", "Router"]],
      );
      assert.equal(gate[0]?.confirmationMessage, "Run an operations action on production?");
      assert.equal(chosenModel.requests.length + otherModel.requests.length, 0);
      gate[0]?.confirm();

      const second = await workflow.continueRun(first);
      assert.equal(second.pauseKind, "executor");
      assert.equal(second.stepRequirements.length, 2);
      assert.equal(second.stepRequirements[0]?.isResolved, true);
      const active = second.stepRequirements[1];
      assert.equal(active?.stepName, routeCase.route);
      assert.deepEqual(active?.stepPath, [0, routeCase.choiceIndex]);
      assert.equal(active?.executorName, routeCase.agentName);
      assert.equal(active?.executorRunId, second.stepExecutorRuns[0]?.runId);
      const calls = active?.executorRequirements ?? [];
      assert.deepEqual(
        calls.map((call) => [call.toolExecution.toolName, call.toolExecution.toolArgs]),
        [[routeCase.toolName, routeCase.toolArgs]],
      );
      assert.deepEqual([restarted, scaled], [[], []]);
      calls[0]?.confirm();

      const done = await workflow.continueRun(second);
      assert.equal(done.status, "completed");
      assert.equal(done.content, routeCase.content);
      assert.deepEqual(restarted, routeCase.route === "restart" ? ["checkout"] : []);
      assert.deepEqual(scaled, routeCase.route === "scale" ? ["checkout=5"] : []);
      assert.equal(chosenModel.requests.length, 2);
      assert.deepEqual(chosenModel.requests[0]?.messages, [{ role: "user", content: routeCase.input }]);
      assert.equal(otherModel.requests.length, 0);
      assert.deepEqual(
        done.stepResults[0]?.steps.map((output) => [output.stepName, output.content]),
        [[routeCase.route, routeCase.content]],
      );
      assert.deepEqual(
        done.stepExecutorRuns.map((run) => run.agentName),
        [routeCase.agentName],
      );
    });
  }

  it("on a rejected router confirmation runs neither route", async () => {
    const { workflow, restarted, scaled, models } = build({ scripts: { restart: [], scale: [] } });
    const first = await workflow.run("Scale the checkout service to 5 replicas.");
    first.stepsRequiringConfirmation[0]?.reject("Change freeze");
    const done = await workflow.continueRun(first);
    assert.equal(done.status, "completed");
    assert.equal(done.stepRequirements.length, 1);
    assert.equal(done.stepResults[0]?.skipped, true);
    assert.deepEqual([restarted, scaled], [[], []]);
    assert.ok(models.restart instanceof FakeModel && models.scale instanceof FakeModel);
    assert.equal(models.restart.requests.length + models.scale.requests.length, 0);
  });
});
