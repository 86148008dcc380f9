import { z } from "zod";
import { Agent } from "../agent/index.js";
import type { Db } from "../db/index.js";
import type { ModelRequest } from "../models/index.js";
import { FakeModel, type FakeScript, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step, Workflow } from "../workflow/index.js";

/** Answers from the last message: the first turn calls `call`, a later one reports the tool's result. */
function turns(call: () => ReturnType<typeof toolCall>): FakeScript[] {
  const turn = (request: ModelRequest) => {
    const last = request.messages.at(-1);
    return last?.role === "tool" ? text(`Done: ${last.content}`) : call();
  };
  return Array.from({ length: 16 }, () => turn);
}

/** A gated tool that records each real call. */
function gated(name: string, calls: string[]) {
  return tool({
    name,
    parameters: z.object({ target: z.string() }),
    requiresConfirmation: true,
    execute: ({ target }) => {
      calls.push(`${name} ${target}`);
      return `${name} ran for ${target}`;
    },
  });
}

/**
 * What the server's nested tests serve: agent "Planner", whose sub-agent "Alerter" (as a tool)
 * calls gated `send_alert`; and workflow "Incident", whose step "respond" runs "Coordinator",
 * whose sub-agent "Notifier" calls gated `page_oncall`. `calls` records each real tool call.
 */
export function nestedApps(db: Db): { planner: Agent; workflow: Workflow; calls: string[] } {
  const calls: string[] = [];
  const alerter = new Agent({
    name: "Alerter",
    model: new FakeModel(turns(() => toolCall("send_alert", { target: "Tokyo" }))),
    tools: [gated("send_alert", calls)],
  });
  const planner = new Agent({
    name: "Planner",
    model: new FakeModel(turns(() => toolCall("alerter", { input: "Alert Tokyo" }))),
    tools: [alerter.asTool({ name: "alerter" })],
    db,
  });
  const notifier = new Agent({
    name: "Notifier",
    model: new FakeModel(turns(() => toolCall("page_oncall", { target: "db" }))),
    tools: [gated("page_oncall", calls)],
  });
  const coordinator = new Agent({
    name: "Coordinator",
    model: new FakeModel(turns(() => toolCall("notify", { input: "Page the db team" }))),
    tools: [notifier.asTool({ name: "notify" })],
    db,
  });
  const workflow = new Workflow({ name: "Incident", db, steps: [new Step({ name: "respond", agent: coordinator })] });
  return { planner, workflow, calls };
}
