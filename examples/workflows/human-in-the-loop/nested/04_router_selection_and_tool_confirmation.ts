// Scenario 4: a Router whose route a human picks; each route's agent calls its own gated tool.
//   node --conditions=kern-source --import tsx examples/workflows/human-in-the-loop/nested/04_router_selection_and_tool_confirmation.ts [email|sms|slack]
// Runs against OpenAI when OPENAI_API_KEY is set, else on a scripted model.
import { argv } from "node:process";
import type { Db, Model } from "kern";
import { Agent } from "kern/agent";
import { InMemoryDb } from "kern/db/memory";
import { type FakeScript, toolCall } from "kern/testing";
import { type Tool, tool } from "kern/tools";
import { Router, Step, Workflow, type WorkflowRunOutput } from "kern/workflow";
import { z } from "zod";
import { approveActive, describePause, isMain, modelFor, reportAfterTool } from "./shared.js";

export const CHANNELS = ["email", "sms", "slack"] as const;
export type Channel = (typeof CHANNELS)[number];

interface ChannelSpec {
  agentName: string;
  toolName: string;
  recipient: string;
  answer: string;
}

/** Each route's agent, tool, and what the scripted model sends there. */
export const CHANNEL_SPECS: Record<Channel, ChannelSpec> = {
  email: {
    agentName: "EmailAgent",
    toolName: "send_email",
    recipient: "ops@example.com",
    answer: "Emailed ops@example.com about the outage.",
  },
  sms: {
    agentName: "SmsAgent",
    toolName: "send_sms",
    recipient: "+15550100",
    answer: "Texted +15550100 about the outage.",
  },
  slack: {
    agentName: "SlackAgent",
    toolName: "send_slack",
    recipient: "#incidents",
    answer: "Posted to #incidents about the outage.",
  },
};

export const NOTICE = "The payments API is down; we are on it.";

export interface Scenario {
  workflow: Workflow;
  /** Recipients really notified, per channel, one entry per execution of that channel's tool. */
  sent: Record<Channel, string[]>;
  /** Each route agent's model: a FakeModel (recording every request) when offline. */
  models: Record<Channel, Model>;
}

/** The scripted part of a channel's agent: send the notice, then report whether it went out. */
export function scriptFor(channel: Channel): FakeScript[] {
  const spec = CHANNEL_SPECS[channel];
  const notSent = `I did not notify ${spec.recipient}: sending was rejected.`;
  return [
    toolCall(spec.toolName, { to: spec.recipient, message: NOTICE }),
    reportAfterTool(/^Sent by /, spec.answer, notSent),
  ];
}

function sendTool(channel: Channel, sent: string[]): Tool {
  return tool({
    name: CHANNEL_SPECS[channel].toolName,
    description: `Send a notification by ${channel}.`,
    parameters: z.object({ to: z.string(), message: z.string() }),
    requiresConfirmation: true,
    execute: ({ to }) => {
      sent.push(to);
      return `Sent by ${channel} to ${to}.`;
    },
  });
}

function routeStep(channel: Channel, model: Model, sent: string[], db: Db): Step {
  const spec = CHANNEL_SPECS[channel];
  const agent = new Agent({
    name: spec.agentName,
    instructions: `You notify ${spec.recipient} with ${spec.toolName}, then say what you sent in one sentence.`,
    model,
    tools: [sendTool(channel, sent)],
    db,
  });
  return new Step({ name: channel, agent });
}

export function build(options: { db?: Db; scripts?: Partial<Record<Channel, FakeScript[]>> } = {}): Scenario {
  const db = options.db ?? new InMemoryDb();
  const sent: Record<Channel, string[]> = { email: [], sms: [], slack: [] };
  const models: Record<Channel, Model> = {
    email: modelFor(options.scripts?.email ?? scriptFor("email")),
    sms: modelFor(options.scripts?.sms ?? scriptFor("sms")),
    slack: modelFor(options.scripts?.slack ?? scriptFor("slack")),
  };
  const workflow = new Workflow({
    name: "Notify",
    db,
    steps: [
      new Router({
        name: "notification_router",
        requiresUserInput: true,
        userInputMessage: "How should we notify the on-call team?",
        choices: CHANNELS.map((channel) => routeStep(channel, models[channel], sent[channel], db)),
      }),
    ],
  });
  return { workflow, sent, models };
}

/** Picks the route at the route pause; approves everything else. */
function resolve(run: WorkflowRunOutput, channel: Channel): void {
  const active = run.stepRequirements.at(-1);
  if (active?.requiresRouteSelection === true) active.select(channel);
  else approveActive(run);
}

if (isMain(import.meta.url)) {
  const channel = CHANNELS.find((name) => name === argv[2]) ?? "email";
  const { workflow } = build();
  let run = await workflow.run(`Tell the on-call team: ${NOTICE}`);
  while (run.isPaused) {
    console.log(describePause(run), run.stepsRequiringRoute.length > 0 ? `→ select ${channel}` : "→ approve");
    resolve(run, channel);
    run = await workflow.continueRun(run);
  }
  console.log(`${run.status}: ${run.content ?? ""}`);
}
