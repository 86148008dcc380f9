import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step, Workflow } from "../workflow/index.js";

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));

function named(name: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.name === name);
}

describe("workflow spans", () => {
  it("nests step, agent, model and tool spans under the workflow's, and records each gate's wait", async () => {
    const db = new InMemoryDb();
    const send = tool({
      name: "send_alert",
      parameters: z.object({ city: z.string() }),
      requiresConfirmation: true,
      execute: ({ city }) => `Sent for ${city}`,
    });
    const agent = new Agent({
      name: "Alerter",
      model: new FakeModel([toolCall("send_alert", { city: "Oslo" }), text("Sent.")]),
      tools: [send],
      db,
    });
    const workflow = new Workflow({
      name: "alerts",
      db,
      steps: [
        new Step({ name: "plan", executor: () => "alert Oslo", requiresConfirmation: true }),
        new Step({ name: "send", agent }),
      ],
    });
    let run = await workflow.run("Alert Oslo");
    const firstLeg = named("invoke_workflow alerts");
    assert.equal(firstLeg.length, 1);
    const pausedBy = firstLeg[0];
    assert.equal(
      run.stepRequirements[0]?.toJSON().trace,
      `00-${pausedBy?.spanContext().traceId}-${pausedBy?.spanContext().spanId}-01`,
    );
    run.stepRequirements.at(-1)?.confirm();
    run = await workflow.continueRun(run, { actor: { id: "lena", roles: ["lead"] } });
    for (const call of run.stepRequirements.at(-1)?.executorRequirements ?? []) call.confirm();
    run = await workflow.continueRun(run, { actor: { id: "fred", roles: ["finance"] } });
    assert.equal(run.status, "completed");

    const legs = named("invoke_workflow alerts");
    assert.equal(legs.length, 3);
    const waits = named("kern.awaiting_human");
    assert.deepEqual(
      waits.map((span) => [
        span.attributes["kern.gate.kind"],
        span.attributes["kern.decided_by"],
        span.parentSpanContext?.spanId,
      ]),
      [
        ["confirmation", "lena", legs[1]?.spanContext().spanId],
        ["confirmation", "fred", legs[2]?.spanContext().spanId],
      ],
    );
    // The tool call's wait links to the agent run span that paused on it, inside the step's span.
    const agentSpans = named("invoke_agent Alerter");
    const pausedAgent = agentSpans[0];
    assert.deepEqual(
      waits[1]?.links.map((link) => link.context.spanId),
      [pausedAgent?.spanContext().spanId],
    );
    const sendSteps = named("kern.step send");
    assert.equal(pausedAgent?.parentSpanContext?.spanId, sendSteps[0]?.spanContext().spanId);
    assert.equal(sendSteps[0]?.parentSpanContext?.spanId, legs[1]?.spanContext().spanId);
    const executed = named("execute_tool send_alert");
    assert.equal(executed.length, 1);
    assert.equal(executed[0]?.parentSpanContext?.spanId, agentSpans[1]?.spanContext().spanId);
    assert.equal(agentSpans[1]?.parentSpanContext?.spanId, sendSteps[1]?.spanContext().spanId);
  });
});
