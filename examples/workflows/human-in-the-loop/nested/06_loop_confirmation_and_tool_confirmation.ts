// Scenario 6: a Loop confirmed once before its first iteration, whose step's agent calls a gated
// tool in every iteration, so each iteration pauses once more for the tool.
//   node --conditions=kern-source --import tsx examples/workflows/human-in-the-loop/nested/06_loop_confirmation_and_tool_confirmation.ts
// Runs against OpenAI when OPENAI_API_KEY is set, else on a scripted model.

import type { Db, Model } from "kern";
import { Agent } from "kern/agent";
import { InMemoryDb } from "kern/db/memory";
import { type FakeScript, toolCall } from "kern/testing";
import { tool } from "kern/tools";
import { Loop, Step, Workflow } from "kern/workflow";
import { z } from "zod";
import { approveActive, describePause, isMain, modelFor, reportAfterTool } from "./shared.js";

export interface Scenario {
  workflow: Workflow;
  /** One entry per real publish_draft execution: the channel it published to. */
  published: string[];
  /** The publisher's model: a FakeModel (recording every request) when offline. */
  model: Model;
}

/** The scripted model's part: in each of the three iterations, publish, then say whether it did. */
export const script: FakeScript[] = [1, 2, 3].flatMap((round) => [
  toolCall("publish_draft", { title: "Spring launch", channel: `channel-${round}` }),
  reportAfterTool(
    /^Published /,
    `Published 'Spring launch' to channel-${round}.`,
    `I did not publish 'Spring launch' to channel-${round}: publishing was rejected.`,
  ),
]);

export function build(options: { db?: Db; script?: FakeScript[] } = {}): Scenario {
  const published: string[] = [];
  const db = options.db ?? new InMemoryDb();
  const model = modelFor(options.script ?? script);
  const publishDraft = tool({
    name: "publish_draft",
    description: "Publish a draft post to one channel.",
    parameters: z.object({ title: z.string(), channel: z.string() }),
    requiresConfirmation: true,
    execute: ({ title, channel }) => {
      published.push(channel);
      return `Published '${title}' to ${channel}.`;
    },
  });
  const publisher = new Agent({
    name: "PublisherAgent",
    instructions:
      "You publish the requested draft with the publish_draft tool (pick a channel), then say what you did in one sentence.",
    model,
    tools: [publishDraft],
    db,
  });
  const workflow = new Workflow({
    name: "LoopPublishing",
    db,
    steps: [
      new Loop({
        name: "publish_loop",
        maxIterations: 3,
        requiresConfirmation: true,
        confirmationMessage: "Start the publishing loop (3 rounds)?",
        steps: [new Step({ name: "publish", agent: publisher })],
      }),
    ],
  });
  return { workflow, published, model };
}

if (isMain(import.meta.url)) {
  const { workflow } = build();
  let run = await workflow.run("Publish the draft 'Spring launch'.");
  while (run.isPaused) {
    console.log(describePause(run), "→ approve");
    approveActive(run);
    run = await workflow.continueRun(run);
  }
  console.log(`${run.status}: ${run.content ?? ""} (${run.stepResults[0]?.steps.length ?? 0} iterations)`);
}
