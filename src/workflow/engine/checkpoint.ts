import type { EngineContext } from "./context.js";

/**
 * The run's progress as stored: the frames running now become the cursor (the top-level frame's
 * outputs live in stepResults, so its stored copy leaves them out).
 */
function setCursor(context: EngineContext): void {
  const { state, stack } = context;
  state.cursor = stack.map((frame, index) => (index === 0 ? { ...frame, outputs: [] } : frame));
}

/**
 * Stores the run as it is now, still running: a checkpoint, fenced by the claim. Agent-run saves
 * held in the batch go in the same transaction. A Step calls it with its frame marked as started
 * before it runs anything, so a crash can never make a started step look unstarted.
 */
export async function checkpoint(context: EngineContext): Promise<void> {
  if (!context.checkpointing) return;
  setCursor(context);
  await context.claim.checkpoint(context.batch);
}

/** Stores what changed since the last write (a step's output, a held agent save), if anything did. */
export async function flushCheckpoint(context: EngineContext): Promise<void> {
  if (!context.checkpointing) return;
  setCursor(context);
  await context.claim.flush(context.batch);
}

/** Notes that a step produced something (an output, a failure) to store before anything else runs. */
export function markProgress(context: EngineContext): void {
  if (context.checkpointing) context.claim.markDirty();
}
