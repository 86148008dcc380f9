// Scenario 2: a Step that asks a human for input before it runs, whose agent then calls a gated tool.
//   node --conditions=kern-source --import tsx examples/workflows/human-in-the-loop/nested/02_step_user_input_and_tool_confirmation.ts [destination]
// Runs against OpenAI when OPENAI_API_KEY is set, else on a scripted model.
import { argv } from "node:process";
import type { Db, Model, ModelRequest } from "kern";
import { Agent } from "kern/agent";
import { InMemoryDb } from "kern/db/memory";
import { type FakeScript, type FakeTurn, text, toolCall } from "kern/testing";
import { tool } from "kern/tools";
import { Step, Workflow, type WorkflowRunOutput } from "kern/workflow";
import { z } from "zod";
import { approveActive, describePause, isMain, modelFor, reportAfterTool } from "./shared.js";

export interface Booking {
  origin: string;
  destination: string;
}

export interface Scenario {
  workflow: Workflow;
  /** Flights really booked, one entry per execution of book_flight. */
  bookings: Booking[];
  /** The agent's model: a FakeModel (recording every request) when offline. */
  model: Model;
}

/** The destination the agent was told in its "User preferences" block, if any. */
export function destinationIn(request: ModelRequest): string | undefined {
  const first = request.messages.find((message) => message.role === "user");
  return first?.content.match(/^- destination: (.+)$/m)?.[1];
}

/** Books a flight to whatever destination the agent was told, or says it was told none. */
function bookToldDestination(request: ModelRequest): FakeTurn {
  const destination = destinationIn(request);
  return destination === undefined
    ? text("I need a destination first.")
    : toolCall("book_flight", { origin: "Berlin", destination });
}

/** The scripted model's part: call book_flight for the destination it was given, then say whether it booked. */
export const script: FakeScript[] = [
  bookToldDestination,
  reportAfterTool(
    /^Flight booked/,
    (request) => `Booked your flight from Berlin to ${destinationIn(request) ?? "nowhere"}.`,
    "I did not book the flight: the booking was rejected.",
  ),
];

export function build(options: { db?: Db; script?: FakeScript[] } = {}): Scenario {
  const bookings: Booking[] = [];
  const db = options.db ?? new InMemoryDb();
  const model = modelFor(options.script ?? script);
  const bookFlight = tool({
    name: "book_flight",
    description: "Book a flight from origin to destination.",
    parameters: z.object({ origin: z.string(), destination: z.string() }),
    requiresConfirmation: true,
    execute: ({ origin, destination }) => {
      bookings.push({ origin, destination });
      return `Flight booked: ${origin} → ${destination}, confirmation KX-${bookings.length}.`;
    },
  });
  const travelAgent = new Agent({
    name: "TravelAgent",
    instructions:
      "You book flights with the book_flight tool for the destination in the user's preferences, then say what you booked in one sentence.",
    model,
    tools: [bookFlight],
    db,
  });
  const workflow = new Workflow({
    name: "TravelBooking",
    db,
    steps: [
      new Step({
        name: "book_travel",
        agent: travelAgent,
        userInputMessage: "Where do you want to fly?",
        userInputSchema: [{ name: "destination", type: "string", required: true, description: "City to fly to" }],
      }),
    ],
  });
  return { workflow, bookings, model };
}

/** Answers the active pause: the destination for the user-input gate, approval for the rest. */
function resolve(run: WorkflowRunOutput, destination: string): void {
  const active = run.stepRequirements.at(-1);
  if (active?.requiresUserInput === true) active.setUserInput({ destination });
  else approveActive(run);
}

if (isMain(import.meta.url)) {
  const destination = argv[2] ?? "Lisbon";
  const { workflow } = build();
  let run = await workflow.run("Book me a flight from Berlin for next Friday");
  while (run.isPaused) {
    console.log(
      describePause(run),
      run.stepsRequiringUserInput.length > 0 ? `→ destination: ${destination}` : "→ approve",
    );
    resolve(run, destination);
    run = await workflow.continueRun(run);
  }
  console.log(`${run.status}: ${run.content ?? ""}`);
}
