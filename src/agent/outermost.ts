import { ConfigurationError } from "../errors.js";
import type { AgentRunState } from "../runs/index.js";

/**
 * One claim for the tree: an agent run that belongs to a workflow run (a step's agent) moves on
 * only through that workflow run, whose holder passes its id (`parentClaim`). Continuing,
 * retrying or cancelling it directly is refused, before anything changes, naming the run to use.
 */
export function checkOutermost(state: AgentRunState, parent: string | undefined, what: string): void {
  if (state.parentRunId === null || parent === state.parentRunId) return;
  throw new ConfigurationError(
    `Agent run '${state.runId}' belongs to workflow run '${state.parentRunId}', so it cannot be ${what} on its own: ` +
      `its pauses are that run's. Use the workflow: workflow.continueRun({ runId: "${state.parentRunId}", ` +
      `sessionId: "${state.sessionId}", decisions }) (or cancelRun, retryRun), which claims the whole run.`,
  );
}
