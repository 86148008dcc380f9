import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { NO_SPAN, startSpan } from "./index.js";

describe("without an OpenTelemetry SDK registered", () => {
  it("records nothing: no span, no trace stored with a pause, which still records when it paused", async () => {
    assert.equal(startSpan("anything", {}, null), NO_SPAN);
    const send = tool({
      name: "send_alert",
      parameters: z.object({}),
      requiresConfirmation: true,
      execute: () => "sent",
    });
    const agent = new Agent({
      name: "Alerter",
      model: new FakeModel([toolCall("send_alert", {})]),
      tools: [send],
      db: new InMemoryDb(),
    });
    const before = Date.now();
    const paused = await agent.run("Alert");
    const [requirement] = paused.toJSON().requirements;
    assert.equal(requirement?.trace, null);
    assert.ok((requirement?.pausedAt ?? 0) >= before);
  });
});
