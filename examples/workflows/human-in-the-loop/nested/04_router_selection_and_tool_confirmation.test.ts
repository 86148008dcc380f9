import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidResolutionError } from "kern";
import { FakeModel } from "kern/testing";
import { build, CHANNEL_SPECS, CHANNELS, NOTICE } from "./04_router_selection_and_tool_confirmation.js";

delete process.env["OPENAI_API_KEY"];

const INPUT = `Tell the on-call team: ${NOTICE}`;

describe("scenario 4: router selection + tool confirmation", () => {
  for (const [index, channel] of CHANNELS.entries()) {
    it(`selecting ${channel} pauses on ${CHANNEL_SPECS[channel].toolName}; approving runs only that tool`, async () => {
      const { workflow, sent, models } = build();
      const spec = CHANNEL_SPECS[channel];
      const first = await workflow.run(INPUT);
      assert.equal(first.pauseKind, "step");
      assert.equal(first.pausedStepName, "notification_router");
      assert.deepEqual(
        first.stepsRequiringRoute.map((requirement) => requirement.stepName),
        ["notification_router"],
      );
      const route = first.stepRequirements[0];
      assert.equal(first.stepRequirements.length, 1);
      assert.equal(route?.stepType, "Router");
      assert.equal(route?.requiresRouteSelection, true);
      assert.deepEqual(route?.availableChoices, ["email", "sms", "slack"]);
      assert.equal(route?.allowMultipleSelections, false);
      assert.equal(route?.message, "How should we notify the on-call team?");
      route?.select(channel);

      const second = await workflow.continueRun(first);
      assert.equal(second.pauseKind, "executor");
      assert.equal(second.pausedStepName, channel);
      assert.equal(second.stepRequirements.length, 2);
      assert.deepEqual(second.stepRequirements[0]?.selectedChoices, [channel]);
      const active = second.stepRequirements[1];
      assert.equal(active?.stepName, channel);
      assert.deepEqual(active?.stepPath, [0, index]);
      assert.equal(active?.executorName, spec.agentName);
      assert.equal(active?.executorId, spec.agentName);
      const calls = active?.executorRequirements ?? [];
      assert.deepEqual(
        calls.map((call) => [call.toolExecution.toolName, call.toolExecution.toolArgs]),
        [[spec.toolName, { to: spec.recipient, message: NOTICE }]],
      );
      assert.deepEqual(sent, { email: [], sms: [], slack: [] });
      calls[0]?.confirm();

      const done = await workflow.continueRun(second);
      assert.equal(done.status, "completed");
      assert.equal(done.content, spec.answer);
      assert.deepEqual(sent, { email: [], sms: [], slack: [], [channel]: [spec.recipient] });
      assert.deepEqual(
        done.stepExecutorRuns.map((run) => run.agentName),
        [spec.agentName],
      );
      for (const other of CHANNELS) {
        const model = models[other];
        assert.ok(model instanceof FakeModel);
        assert.equal(model.requests.length, other === channel ? 2 : 0, `${other} model requests`);
      }
    });
  }

  it("refuses several choices when multiple selections are not allowed, and unknown names; nothing changes", async () => {
    const { workflow, sent } = build();
    const first = await workflow.run(INPUT);
    const route = first.stepRequirements[0];
    assert.ok(route !== undefined);
    assert.throws(() => route.select("email", "sms"), InvalidResolutionError);
    assert.throws(() => route.select("fax"), InvalidResolutionError);
    assert.throws(() => route.select(), InvalidResolutionError);
    assert.equal(route.isResolved, false);
    assert.equal(route.selectedChoices, null);
    assert.equal(first.stepsRequiringRoute.length, 1);

    route.select("sms");
    const second = await workflow.continueRun(first);
    assert.equal(second.stepRequirements[1]?.executorName, "SmsAgent");
    second.stepRequirements[1]?.executorRequirements[0]?.confirm();
    const done = await workflow.continueRun(second);
    assert.equal(done.status, "completed");
    assert.deepEqual(sent, { email: [], sms: ["+15550100"], slack: [] });
  });
});
