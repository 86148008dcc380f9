import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { signedPress, startSlackFake } from "../channels/slack-fake.test-helper.js";
import { fanOut } from "../workflow/parallel.test-helper.js";
import { SIGNING_SECRET, serve, textsOf } from "./slack.test-helper.js";

describe("createServer({ slack }) with a run paused in Parallel branches", () => {
  it("posts one message per paused branch, with its path, and each button decides only its own branch", async () => {
    const fake = await startSlackFake();
    const fan = fanOut();
    const { url, close } = await serve(fake, { workflows: [fan.workflow] });
    try {
      const paused = await fan.workflow.run("in");
      const posts = await fake.waitFor("chat.postMessage", 2);
      const gate = posts.find((post) => textsOf(post).includes("Step gate"));
      const call = posts.find((post) => textsOf(post).includes("Tool: notify_tool"));
      assert.ok(gate !== undefined && call !== undefined, "a message for the step gate and one for the tool call");
      assert.match(textsOf(gate), /Step gate · workflow 'fan', step 'fan_out \/ approve'\\nApprove the budget\?/);
      assert.match(textsOf(call), /Tool: notify_tool · workflow 'fan', step 'fan_out \/ notify', agent 'notify'/);

      const interactions = `${url}/api/slack/interactions`;
      await fetch(
        interactions,
        signedPress(SIGNING_SECRET, { userId: "U_ANN", action: "kern_approve", message: call }),
      );
      const [first] = await fake.waitFor("chat.update", 1);
      assert.match(String(first?.args["text"]), /^✅ Approved by ann \(sre\)/);
      assert.equal(fan.counter.of("notify_tool"), 1);
      assert.equal(fan.counter.of("approve"), 0, "the other branch still waits");
      const between = await fan.workflow.getRunOutput(paused.runId, paused.sessionId);
      assert.deepEqual(
        between.activeStepRequirements.map((requirement) => requirement.path),
        [["fan_out", "approve"]],
      );

      await fetch(
        interactions,
        signedPress(SIGNING_SECRET, { userId: "U_BOB", action: "kern_approve", message: gate }),
      );
      const updates = await fake.waitFor("chat.update", 2);
      assert.match(String(updates[1]?.args["text"]), /^✅ Approved by bob \(dev\)/);
      const done = await fan.workflow.getRunOutput(paused.runId, paused.sessionId);
      assert.equal(done.status, "completed");
      assert.deepEqual([fan.counter.of("notify_tool"), fan.counter.of("approve")], [1, 1]);
    } finally {
      await close();
      await fake.close();
    }
  });
});
