// Scenario 5: a Step whose agent calls a gated tool, and whose output a human then reviews:
// approve it, edit it, or reject it (the step re-runs with the feedback, at most twice).
//   node --conditions=kern-source --import tsx examples/workflows/human-in-the-loop/nested/05_output_review_and_tool_confirmation.ts
// Runs against OpenAI when OPENAI_API_KEY is set, else on a scripted model.

import type { Db, Model } from "kern";
import { Agent } from "kern/agent";
import { InMemoryDb } from "kern/db/memory";
import { type FakeScript, toolCall } from "kern/testing";
import { tool } from "kern/tools";
import { Step, Workflow } from "kern/workflow";
import { z } from "zod";
import { approveActive, describePause, isMain, modelFor, reportAfterTool } from "./shared.js";

export const QUERY = "SELECT region, SUM(amount) FROM sales WHERE quarter = 'Q3' GROUP BY region";

export interface Scenario {
  workflow: Workflow;
  /** SQL really run, one entry per execution of query_database. */
  queries: string[];
  /** Reports really saved, one entry per run of save_report. */
  saved: string[];
  /** The analyst's model: a FakeModel (recording every request) when offline. */
  model: Model;
}

/** One attempt of the scripted analyst: query, then answer with `answer` if the query ran. */
export function attempt(answer: string): FakeScript[] {
  return [
    toolCall("query_database", { sql: QUERY }),
    reportAfterTool(/"region"/, answer, "I could not query the database, so I have no numbers."),
  ];
}

/** The scripted model's part: a single attempt. */
export const script: FakeScript[] = attempt("Q3 revenue was $1.2M, led by EMEA at $540k.");

export function build(options: { db?: Db; script?: FakeScript[] } = {}): Scenario {
  const queries: string[] = [];
  const saved: string[] = [];
  const db = options.db ?? new InMemoryDb();
  const model = modelFor(options.script ?? script);
  const queryDatabase = tool({
    name: "query_database",
    description: "Run a read-only SQL query against the sales database.",
    parameters: z.object({ sql: z.string() }),
    requiresConfirmation: true,
    execute: ({ sql }) => {
      queries.push(sql);
      return JSON.stringify([
        { region: "EMEA", total: 540000 },
        { region: "AMER", total: 430000 },
        { region: "APAC", total: 230000 },
      ]);
    },
  });
  const analyst = new Agent({
    name: "DataAnalyst",
    instructions:
      "You answer sales questions: query the database with query_database, then summarise the numbers in one sentence.",
    model,
    tools: [queryDatabase],
    db,
  });
  const workflow = new Workflow({
    name: "ReviewedReport",
    db,
    steps: [
      new Step({
        name: "analyze_data",
        agent: analyst,
        requiresOutputReview: true,
        outputReviewMessage: "Is this analysis ready to save?",
        onReject: "retry",
        hitlMaxRetries: 2,
      }),
      new Step({
        name: "save_report",
        executor: (input) => {
          const report = input.previousStepContent ?? "";
          saved.push(report);
          return `Saved report: ${report}`;
        },
      }),
    ],
  });
  return { workflow, queries, saved, model };
}

if (isMain(import.meta.url)) {
  const { workflow } = build();
  let run = await workflow.run("Summarise Q3 sales by region");
  while (run.isPaused) {
    console.log(describePause(run), "→ approve");
    approveActive(run);
    run = await workflow.continueRun(run);
  }
  console.log(`${run.status}: ${run.content ?? ""}`);
}
