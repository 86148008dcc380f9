// The nested runs the race continues besides plain agent runs, rebuilt from scratch by the test
// process and by every worker: an agent whose sub-agent's tool call paused (agents as tools), and
// a workflow paused in both branches of a Parallel, one branch's agent calling the gated tool
// itself, the other through a sub-agent. Every real execution of the gated tool is one line in
// the log (fixture.test-helper.ts), keyed by the city it alerts: each run's cities are its own.
import type { Db } from "kern";
import { Agent } from "kern/agent";
import { FakeModel, type FakeScript, text, toolCall } from "kern/testing";
import { Parallel, Step, Workflow } from "kern/workflow";
import { AGENT_NAME, sendAlertTool, TOOL_NAME } from "./fixture.test-helper.js";

export const COORDINATOR_NAME = "ExactlyOnceCoordinator";
export const WORKFLOW_NAME = "ExactlyOnceFanOut";

/** The kinds of paused run the race continues: a plain agent run, a sub-agent's pause, a Parallel's. */
export type RunShape = "agent" | "subAgent" | "parallel";

/** What each agent of a tree is scripted to say: when a run starts, or when it is continued. */
interface Scripts {
  coordinator: FakeScript[];
  alerter: FakeScript[];
}

function startScripts(city: string): Scripts {
  return {
    coordinator: [toolCall("alerter", { input: `Alert ${city}` })],
    alerter: [toolCall(TOOL_NAME, { city, message: "Heavy rain" })],
  };
}

function continueScripts(): Scripts {
  return { coordinator: [text(`Coordinated by ${process.pid}.`)], alerter: [text(`Done by ${process.pid}.`)] };
}

/** The coordinator: its one tool is the alerting agent, as a tool (its runs live in the coordinator's). */
function coordinator(db: Db, logFile: string, scripts: Scripts, name = COORDINATOR_NAME): Agent {
  const alerter = new Agent({
    name: AGENT_NAME,
    model: new FakeModel(scripts.alerter),
    tools: [sendAlertTool(logFile)],
  });
  return new Agent({
    name,
    model: new FakeModel(scripts.coordinator),
    tools: [alerter.asTool({ name: "alerter" })],
    db,
  });
}

/** The coordinator scripted to open a run that pauses on its sub-agent's call for `city`. */
export function startingCoordinator(db: Db, logFile: string, city: string): Agent {
  return coordinator(db, logFile, startScripts(city));
}

/** The coordinator scripted for one continue: the sub-agent and then it answer in text. */
export function continuingCoordinator(db: Db, logFile: string): Agent {
  return coordinator(db, logFile, continueScripts());
}

/**
 * The fan-out workflow: Parallel "fan" of "direct" (an agent calling the gated tool for `<city> A`)
 * and "nested" (a coordinator whose sub-agent calls it for `<city> B`).
 */
function fanOut(db: Db, logFile: string, direct: FakeScript[], nested: Scripts): Workflow {
  const directAgent = new Agent({
    name: "ExactlyOnceDirect",
    model: new FakeModel(direct),
    tools: [sendAlertTool(logFile)],
    db,
  });
  return new Workflow({
    name: WORKFLOW_NAME,
    db,
    steps: [
      new Parallel({
        name: "fan",
        steps: [
          new Step({ name: "direct", agent: directAgent }),
          new Step({ name: "nested", agent: coordinator(db, logFile, nested, "ExactlyOnceBranchCoordinator") }),
        ],
      }),
    ],
  });
}

/** The fan-out workflow scripted to open a run that pauses in both branches, for `<city> A` and `<city> B`. */
export function startingFanOut(db: Db, logFile: string, city: string): Workflow {
  return fanOut(
    db,
    logFile,
    [toolCall(TOOL_NAME, { city: `${city} A`, message: "Heavy rain" })],
    startScripts(`${city} B`),
  );
}

/** The fan-out workflow scripted for one continue of both branches. */
export function continuingFanOut(db: Db, logFile: string): Workflow {
  return fanOut(db, logFile, [text(`Done by ${process.pid}.`)], continueScripts());
}
