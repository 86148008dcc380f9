import type { Agent } from "../agent/index.js";
import type { SkippedRun } from "../runs/index.js";
import type { Workflow } from "../workflow/index.js";

/** What the server found at start: runs a dead process left claimed, and rows it had to leave alone. */
export interface StartupRecovery {
  /** Runs made continuable: `needsDecision` ones wait in the inbox; the others were resumed. */
  runs: Array<{
    kind: "workflow" | "agent";
    ownerId: string;
    runId: string;
    sessionId: string;
    needsDecision: boolean;
  }>;
  /** Rows recovery could not read or handle (corrupt, written by a newer kern), with the reason. */
  skipped: SkippedRun[];
  /** Settles once every resumed run paused, ended or failed (failures are logged, not thrown). */
  resumed: Promise<void>;
}

/** Resumes a recovered run: on a worker when its owner has a queue, else here. */
function resume(
  owner: Workflow | Agent,
  kind: "workflow" | "agent",
  run: { runId: string; sessionId: string },
): Promise<unknown> {
  const ref = { runId: run.runId, sessionId: run.sessionId };
  const queue = owner.queue;
  if (queue !== undefined) return queue.send({ kind, ownerId: owner.id, ...ref });
  return owner.continueRun(ref);
}

/**
 * Recovers every workflow's and agent's runs, one owner after another, so one bad row never
 * stops the rest; then resumes, in the background, each run that needs no person to go on. Two
 * replicas starting at once cannot both take a run: each take-over and continue is a claim. An
 * owner with a queue has its recovered runs resumed by a worker (a doorbell), not by the server.
 */
export async function recoverAtStart(
  workflows: readonly Workflow[],
  agents: readonly Agent[],
  log: (line: string) => void,
): Promise<StartupRecovery> {
  const runs: StartupRecovery["runs"] = [];
  const skipped: SkippedRun[] = [];
  const resumes: Array<() => Promise<unknown>> = [];
  for (const workflow of workflows) {
    const recovery = await workflow.recover();
    skipped.push(...recovery.skipped);
    for (const run of recovery.workflowRuns) {
      runs.push({
        kind: "workflow",
        ownerId: workflow.id,
        runId: run.runId,
        sessionId: run.sessionId,
        needsDecision: run.needsDecision,
      });
      if (!run.needsDecision) resumes.push(() => resume(workflow, "workflow", run));
    }
  }
  for (const agent of agents) {
    const recovery = await agent.recover();
    skipped.push(...recovery.skipped);
    for (const run of recovery.agentRuns) {
      runs.push({
        kind: "agent",
        ownerId: agent.id,
        runId: run.runId,
        sessionId: run.sessionId,
        needsDecision: run.needsDecision,
      });
      // A workflow's agent run goes on when its workflow run does.
      if (!run.needsDecision && run.parentRunId === null) resumes.push(() => resume(agent, "agent", run));
    }
  }
  for (const row of skipped)
    log(`kern/server: recovery left ${row.kind} run '${row.runId}' as it is (${row.code}): ${row.reason}`);
  const resumed = (async () => {
    for (const resume of resumes) {
      await resume().catch((error: unknown) =>
        log(`kern/server: resuming a recovered run failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  })();
  return { runs, skipped, resumed };
}
