import type { Agent } from "../agent/index.js";
import type { PendingRequirementRow } from "../db/index.js";
import type { Principal } from "../runs/index.js";
import type { Workflow } from "../workflow/index.js";
import { canSee, decidable, type Viewer } from "./access.js";

/** What the viewer may do with one inbox row. */
export interface RowAccess {
  visible: boolean;
  mayDecide: boolean;
}

/** Answers for the rows of one request, loading each run at most once. */
export type RowAccessFor = (viewer: Viewer) => (row: PendingRequirementRow) => Promise<RowAccess>;

/**
 * Who may see and decide inbox rows: with auth, a row is visible to its run's starter, to
 * principals who may decide it, and to the admin role; `mayDecide` follows the gate's approvers.
 * Without auth every row is visible and decidable.
 */
export function inboxAccess(
  workflows: ReadonlyMap<string, Workflow>,
  agents: ReadonlyMap<string, Agent>,
): RowAccessFor {
  return (viewer) => {
    const loaded = new Map<string, Promise<{ userId?: string; mayDecide: (p: Principal, id: string) => boolean }>>();
    const runOf = (row: PendingRequirementRow) => {
      const key = `${row.kind}:${row.runId}`;
      let run = loaded.get(key);
      if (run === undefined) {
        run = load(workflows, agents, row);
        loaded.set(key, run);
      }
      return run;
    };
    return async (row) => {
      if (viewer.principal === null) return { visible: true, mayDecide: true };
      const run = await runOf(row);
      const mayDecide = (principal: Principal): boolean => run.mayDecide(principal, row.requirementId);
      return { visible: canSee(viewer, run, mayDecide), mayDecide: decidable(viewer, mayDecide) };
    };
  };
}

async function load(
  workflows: ReadonlyMap<string, Workflow>,
  agents: ReadonlyMap<string, Agent>,
  row: PendingRequirementRow,
): Promise<{ userId?: string; mayDecide: (principal: Principal, requirementId: string) => boolean }> {
  if (row.kind === "workflow") {
    const workflow = workflows.get(row.ownerId);
    if (workflow === undefined) return { mayDecide: () => false };
    const run = await workflow.getRunOutput(row.runId, row.sessionId);
    return { ...userOf(run.userId), mayDecide: (principal, id) => workflow.canDecide(principal, run, id) };
  }
  const agent = agents.get(row.ownerId);
  if (agent === undefined) return { mayDecide: () => false };
  const run = await agent.getRunOutput(row.runId, row.sessionId);
  return { ...userOf(run.userId), mayDecide: (principal, id) => agent.canDecide(principal, run, id) };
}

function userOf(userId: string | undefined): { userId?: string } {
  return userId === undefined ? {} : { userId };
}
