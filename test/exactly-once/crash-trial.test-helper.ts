// One crash trial, after its worker died: look at what the dead process left in the store and the
// execution log, check it against what the crash point allows, then finish the run the way a
// careful person would (skip a call the log shows ran, retry one it shows never did) or, when
// nothing is uncertain, resume it with no decision at all.
import assert from "node:assert/strict";
import type { RunStatus } from "kern";
import type { Agent, RecoveredRun, RunOutput } from "kern/agent";
import { continuingAgent, executionsPerRun, loggedExecutions, startingAgent } from "./fixture.test-helper.js";
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

/** What a dead process left: the stored status, the tool call's stored phase, how often the tool ran. */
export interface Observation {
  status: RunStatus | "missing";
  /** The stored phase of the run's one tool call ("none" before the model asked for it). */
  phase: string;
  executions: number;
}

/** What the store and log must show after a kill at each crash point. */
export const EXPECTED: Record<CrashPoint, Observation> = {
  "before-claim": { status: "paused", phase: "awaiting", executions: 0 },
  "after-claim": { status: "running", phase: "running", executions: 0 },
  "during-tool-before-effect": { status: "running", phase: "running", executions: 0 },
  "during-tool-after-effect": { status: "running", phase: "running", executions: 1 },
  // The tool's result was stored before the model was called again: nothing is uncertain.
  "during-next-model-call": { status: "running", phase: "done", executions: 1 },
  "before-save": { status: "running", phase: "done", executions: 1 },
  // The run was stored before its first model call; the model never answered.
  "first-leg": { status: "running", phase: "none", executions: 0 },
};

/** The states a kill at any moment may leave (status / phase / executions). */
const POSSIBLE = new Set([
  "paused/awaiting/0",
  "running/running/0",
  "running/running/1",
  "running/done/1",
  "completed/done/1",
]);

/** How a trial's run was finished after the crash. */
export type Decision = "none" | "re-approved" | "retried" | "skipped" | "resumed";

export async function observe(store: TestStore, trial: Trial): Promise<Observation> {
  const label = describeTrial(trial);
  const executions = executionsPerRun(store.config.logFile).get(trial.run.runId) ?? 0;
  const record = await store.db.getRun("agent", trial.run.runId);
  if (record === null) return { status: "missing", phase: "none", executions };
  const run = await continuingAgent(store.db, store.config.logFile, trial.run.runId).getRunOutput(
    trial.run.runId,
    trial.run.sessionId,
  );
  const observation = { status: run.status, phase: run.tools[0]?.phase ?? "none", executions };
  assert.ok(
    trial.point !== null || POSSIBLE.has(`${observation.status}/${observation.phase}/${observation.executions}`),
    `${label}: impossible state after the kill: ${JSON.stringify(observation)}`,
  );
  if (trial.point !== null) assert.deepEqual(observation, EXPECTED[trial.point], `${label}: state after the kill`);
  return observation;
}

export function describeTrial(trial: Trial): string {
  return `seed ${trial.seed} trial ${trial.index} (${trial.point ?? "random moment"}, run ${trial.run.runId})`;
}

/**
 * After recover(): checks what recovery reported for the run (an uncertain call exactly when one
 * started with no stored result), finishes the run and checks how often the tool ran.
 */
export async function finish(
  store: TestStore,
  trial: Trial,
  before: Observation,
  recovered: ReadonlyMap<string, RecoveredRun>,
): Promise<Decision> {
  const label = describeTrial(trial);
  assert.notEqual(before.status, "missing", `${label}: no run is missing`);
  const agent = continuingAgent(store.db, store.config.logFile, trial.run.runId);
  const run = await agent.getRunOutput(trial.run.runId, trial.run.sessionId);
  const report = recovered.get(trial.run.runId);
  if (before.status !== "running") {
    assert.equal(report, undefined, `${label}: recover() left a ${before.status} run alone`);
  } else {
    const uncertain = before.phase === "running" ? [run.tools[0]?.toolCallId] : [];
    assert.deepEqual(
      report?.uncertainToolCalls,
      uncertain,
      `${label}: recover() reported exactly the call that started without a stored result`,
    );
    assert.equal(report?.needsDecision, uncertain.length > 0, `${label}: needsDecision`);
  }
  if (before.status === "completed") {
    assert.equal(run.status, "completed");
    return "none";
  }
  assert.equal(run.status, "paused", `${label}: recover() made the run continuable`);
  const decision = run.activeRequirements.length === 0 ? "resumed" : decide(label, run, before);
  const done = await resumeToTheEnd(store, trial, run, decision);
  assert.equal(done.status, "completed", `${label}: the run completes after the crash (${decision})`);
  checkExecutions(store, trial, decision, done);
  return decision;
}

/** Skip a call the log shows ran; retry (or re-approve) one it shows never did. Nothing blindly. */
function decide(label: string, run: RunOutput, before: Observation): Decision {
  const [requirement, ...others] = run.activeRequirements;
  assert.ok(requirement !== undefined && others.length === 0, `${label}: one requirement waits for the person`);
  assert.equal(requirement.toolExecution.toolCallId, run.tools[0]?.toolCallId);
  // A call stored as started must come back as a recovered requirement; before the claim
  // nothing was stored, so the person's original question is still open.
  assert.equal(requirement.isRecovered, before.status === "running", `${label}: isRecovered`);
  if (before.executions === 1) {
    requirement.reject("The log shows it was already sent.");
    return "skipped";
  }
  requirement.confirm();
  return requirement.isRecovered ? "retried" : "re-approved";
}

/**
 * Continues the run until it completes. A first-leg run resumes from the start: its model asks for
 * the gated call again, which a person approves.
 */
async function resumeToTheEnd(store: TestStore, trial: Trial, run: RunOutput, decision: Decision): Promise<RunOutput> {
  const { db, config } = store;
  if (trial.point === "first-leg" || (decision === "resumed" && run.tools.length === 0)) {
    const paused = await startingAgent(db, config.logFile, "First leg").continueRun(run);
    assert.deepEqual(
      paused.activeRequirements.map((requirement) => requirement.isRecovered),
      [false],
      `${describeTrial(trial)}: the resumed first leg asks the person`,
    );
    for (const requirement of paused.activeRequirements) requirement.confirm();
    return continuingAgent(db, config.logFile, trial.run.runId).continueRun(paused);
  }
  return continuingAgent(db, config.logFile, trial.run.runId).continueRun(run);
}

function checkExecutions(store: TestStore, trial: Trial, decision: Decision, done: RunOutput): void {
  const label = describeTrial(trial);
  const executions = loggedExecutions(store.config.logFile).filter((entry) => entry.runId === trial.run.runId);
  if (decision === "skipped") {
    assert.equal(executions.length, 1, `${label}: the one execution before the kill is the only one`);
    assert.match(
      done.tools[0]?.result ?? "",
      /may or may not have run/,
      `${label}: the model was told the call was skipped`,
    );
    return;
  }
  assert.equal(
    executions.length,
    1,
    `${label}: the tool ran exactly once (decision: ${decision}), not ${executions.length} times`,
  );
  if (decision !== "resumed" || trial.point === "first-leg") {
    assert.equal(executions[0]?.pid, process.pid, `${label}: it ran in the process that finished the run`);
  } else {
    assert.match(done.tools[0]?.result ?? "", /^Alert sent for /, `${label}: the model was told the stored result`);
  }
}

/** recover() as the run's owner would call it once the dead worker's lease expired. */
export async function recoverLater(agent: Agent): Promise<Map<string, RecoveredRun>> {
  const report = await agent.recover({ now: Date.now() + 10 * 60_000 });
  assert.deepEqual(report.skipped, [], "recover() read every row");
  return new Map(report.agentRuns.map((entry) => [entry.runId, entry]));
}
