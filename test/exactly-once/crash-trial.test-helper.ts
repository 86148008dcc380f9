// One crash trial, after its worker died: look at what the dead process left in the store and the
// execution log, check it against what the crash point allows, then let a human finish the run
// the way the log tells them to (skip a call that already ran, retry one that never did).
import assert from "node:assert/strict";
import type { Agent, RunOutput } from "kern/agent";
import type { RunStatus } from "kern";
import { continuingAgent, executionsPerRun, loggedExecutions } from "./fixture.test-helper.js";
import type { CrashPoint, RunToContinue } from "./protocol.test-helper.js";
import type { TestStore } from "./stores.test-helper.js";

export interface Trial {
  /** The seed of the test process that planned it (KERN_EXACTLY_ONCE_SEED replays it). */
  seed: number;
  index: number;
  run: RunToContinue;
  /** Where the worker held the run when it killed itself; null when the test killed it at random. */
  point: CrashPoint | null;
}

/** What a dead process left: the stored status and how often the tool ran. */
export interface Observation {
  status: RunStatus;
  executions: number;
}

/** What the store and log must show after a kill at each crash point. */
export const EXPECTED: Record<CrashPoint, Observation> = {
  "before-claim": { status: "paused", executions: 0 },
  "after-claim": { status: "running", executions: 0 },
  "during-tool-before-effect": { status: "running", executions: 0 },
  "during-tool-after-effect": { status: "running", executions: 1 },
  "after-tool": { status: "running", executions: 1 },
  "before-save": { status: "running", executions: 1 },
};

/** The states a kill at any moment may leave (status / executions). */
const POSSIBLE = new Set(["paused/0", "running/0", "running/1", "completed/1"]);

/** How a trial's run was finished after the crash. */
export type Decision = "none" | "re-approved" | "retried" | "skipped";

export async function observe(store: TestStore, trial: Trial): Promise<Observation> {
  const run = await continuingAgent(store.db, store.config.logFile, trial.run.runId).getRunOutput(trial.run.runId, trial.run.sessionId);
  const observation = { status: run.status, executions: executionsPerRun(store.config.logFile).get(trial.run.runId) ?? 0 };
  const label = describeTrial(trial);
  assert.ok(POSSIBLE.has(`${observation.status}/${observation.executions}`), `${label}: impossible state after the kill: ${JSON.stringify(observation)}`);
  if (trial.point !== null) assert.deepEqual(observation, EXPECTED[trial.point], `${label}: state after the kill`);
  return observation;
}

export function describeTrial(trial: Trial): string {
  return `seed ${trial.seed} trial ${trial.index} (${trial.point ?? "random moment"}, run ${trial.run.runId})`;
}

/**
 * After recover(): checks that every uncertain call came back as a requirement, decides like a
 * careful human reading the log, continues the run to the end and checks how often the tool ran.
 */
export async function finish(
  store: TestStore,
  trial: Trial,
  before: Observation,
  uncertainByRun: ReadonlyMap<string, string[]>,
): Promise<Decision> {
  const label = describeTrial(trial);
  const agent = continuingAgent(store.db, store.config.logFile, trial.run.runId);
  const run = await agent.getRunOutput(trial.run.runId, trial.run.sessionId);
  const toolCallId = run.tools[0]?.toolCallId;
  assert.ok(toolCallId !== undefined, `${label}: the run has its tool call`);
  if (before.status === "running") {
    assert.deepEqual(uncertainByRun.get(trial.run.runId), [toolCallId], `${label}: recover() reported the uncertain call`);
  } else {
    assert.equal(uncertainByRun.has(trial.run.runId), false, `${label}: recover() left a ${before.status} run alone`);
  }
  if (before.status === "completed") {
    assert.equal(run.status, "completed");
    return "none";
  }
  assert.equal(run.status, "paused", `${label}: recover() made the run continuable`);
  const [requirement, ...others] = run.activeRequirements;
  assert.ok(requirement !== undefined && others.length === 0, `${label}: one requirement waits for the human`);
  assert.equal(requirement.toolExecution.toolCallId, toolCallId);
  // A call that may have run (the claim was stored) must come back as a recovered requirement;
  // before the claim nothing was stored, so the human's original question is still open.
  assert.equal(requirement.isRecovered, before.status === "running", `${label}: isRecovered`);
  const decision = decide(requirement, before.executions);
  const done = await agent.continueRun(run);
  assert.equal(done.status, "completed", `${label}: the run completes after the human decided (${decision})`);
  checkExecutions(store, trial, decision, done);
  return decision;
}

/** Skip a call the log shows ran; retry (or re-approve) one it shows never ran. Nothing blindly. */
function decide(requirement: RunOutput["activeRequirements"][number], executions: number): Decision {
  if (executions === 1) {
    assert.equal(requirement.isRecovered, true, "a call that ran before the kill was never stored as done");
    requirement.reject("The log shows it was already sent.");
    return "skipped";
  }
  requirement.confirm();
  return requirement.isRecovered ? "retried" : "re-approved";
}

function checkExecutions(store: TestStore, trial: Trial, decision: Decision, done: RunOutput): void {
  const label = describeTrial(trial);
  const executions = loggedExecutions(store.config.logFile).filter((entry) => entry.runId === trial.run.runId);
  if (decision === "skipped") {
    assert.ok(executions.length <= 1, `${label}: a skipped call ran ${executions.length} times`);
    assert.equal(executions.length, 1, `${label}: the one execution before the kill is the only one`);
    assert.match(done.tools[0]?.result ?? "", /may or may not have run/, `${label}: the model was told the call was skipped`);
  } else {
    assert.equal(executions.length, 1, `${label}: the log showed no execution, the human ${decision} it, and then it ran ${executions.length} times`);
    assert.equal(executions[0]?.pid, process.pid, `${label}: it ran in the process that finished the run`);
  }
}

/** recover() as the run's owner would call it once the dead worker's lease expired. */
export async function recoverLater(agent: Agent): Promise<Map<string, string[]>> {
  const report = await agent.recover({ now: Date.now() + 10 * 60_000 });
  return new Map(report.map((entry) => [entry.runId, entry.uncertainToolCalls]));
}
