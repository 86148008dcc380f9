import type { EngineContext } from "./context.js";

/**
 * The run's progress as stored: the frames running now become the cursor (the top-level frame's
 * outputs live in stepResults, so its stored copy leaves them out). Inside a Parallel branch, the
 * branch's frames are recorded in its Parallel's frame first. While `descending` (resuming into
 * stored frames not all pushed yet), the frames running now are no place to resume from: the
 * cursor stays where the run resumes, and a branch keeps its recorded frames.
 */
function setCursor(context: EngineContext, descending = false): void {
  const { state } = context;
  if (!descending) context.recordBranch?.();
  const frames = descending ? state.cursor : context.root;
  state.cursor = frames?.map((frame, index) => (index === 0 ? { ...frame, outputs: [] } : frame)) ?? null;
}

/**
 * Stores the run as it is now, still running: a checkpoint, fenced by the claim. Agent-run saves
 * held in the batch go in the same transaction. A Step calls it with its frame marked as started
 * before it runs anything, so a crash can never make a started step look unstarted.
 */
export async function checkpoint(context: EngineContext): Promise<void> {
  setCursor(context);
  await context.claim.checkpoint(context.batch);
}

/**
 * Stores what changed since the last write (a step's output, a held agent save), if anything did.
 * `descending`: the component about to run resumes from stored frames not pushed yet, so the
 * frames running now are no place to resume from: a Parallel branch keeps its recorded frames.
 */
export async function flushCheckpoint(context: EngineContext, descending = false): Promise<void> {
  setCursor(context, descending);
  await context.claim.flush(context.batch);
}

/** Notes that a step produced something (an output, a failure) to store before anything else runs. */
export function markProgress(context: EngineContext): void {
  context.claim.markDirty();
}
