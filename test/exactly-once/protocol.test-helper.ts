// What the exactly-once tests and their worker processes say to each other: one JSON object per
// line, commands on the worker's stdin, messages on its stdout. Both sides parse with these
// schemas, so a malformed line fails loudly instead of being half-read.
import { z } from "zod";

/**
 * Where a worker stops a run (see crash.test.ts): inside continueRun, from before its claim to
 * before its final save, or, for "first-leg", inside run() before the model first answered.
 */
export const CRASH_POINTS = [
  "before-claim",
  "after-claim",
  "during-tool-before-effect",
  "during-tool-after-effect",
  "during-next-model-call",
  "before-save",
  "first-leg",
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

const storeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("sqlite"), dbFile: z.string() }),
  z.object({ kind: z.literal("postgres"), dbUrl: z.string(), schema: z.string() }),
]);

/** A test's store and execution log; a worker works on the one its last `open` named. */
const targetSchema = z.object({ store: storeSchema, logFile: z.string() });
export type Target = z.infer<typeof targetSchema>;

/**
 * A paused run to continue, with the human's decisions: RunRequirement.toJSON() output for an
 * agent run (a plain one, or one paused inside its sub-agent: `shape` "subAgent"), decisions as
 * data for a workflow run paused in Parallel branches (`shape` "parallel").
 */
const runToContinueSchema = z.object({
  runId: z.string(),
  sessionId: z.string(),
  requirements: z.array(z.unknown()),
  shape: z.enum(["agent", "subAgent", "parallel"]).optional(),
  decisions: z
    .array(z.object({ requirementId: z.string(), decision: z.object({ type: z.literal("confirm") }) }))
    .optional(),
});
export type RunToContinue = z.infer<typeof runToContinueSchema>;

export const commandSchema = z.discriminatedUnion("op", [
  /** Connects to a test's store (closing the previous one), so one worker can serve several tests. */
  z.object({ op: z.literal("open"), target: targetSchema }),
  z.object({
    op: z.literal("race"),
    /** Continued in this order, `concurrency` at a time, from `goAt` (ms since epoch). */
    runs: z.array(runToContinueSchema),
    concurrency: z.number().int().positive(),
    goAt: z.number(),
    /** Runs every worker loads before any may claim them: a file barrier of `parties` workers. */
    hot: z.object({ runIds: z.array(z.string()), barrierDir: z.string(), parties: z.number().int().positive() }),
  }),
  /**
   * Continues one run with the given lease; its tool sleeps `toolMs` before its side effect. The
   * worker answers `settled` with how the continue ended.
   */
  z.object({
    op: z.literal("continue"),
    run: runToContinueSchema,
    leaseMs: z.number().int().positive(),
    toolMs: z.number().int().nonnegative(),
  }),
  z.object({
    op: z.literal("crash"),
    /**
     * With a point for every run, each run is held at its point and the worker SIGKILLs itself
     * once all are held. With no points, runs start `startAfterMs` after the command and run
     * freely until the test kills the worker at a moment of its choosing; `latencyMs` is how long
     * the tool takes before and after its side effect, and the model before it answers, like
     * real I/O, so such a kill often lands while a run is in flight.
     */
    trials: z.array(
      runToContinueSchema.extend({
        point: z.enum(CRASH_POINTS).nullable(),
        startAfterMs: z.number(),
        latencyMs: z.number(),
      }),
    ),
  }),
]);
export type Command = z.infer<typeof commandSchema>;

/** How one continueRun attempt ended. */
const outcomeSchema = z.object({
  runId: z.string(),
  outcome: z.enum(["completed", "RunAlreadyClaimedError", "RunNotPausedError", "ClaimLostError", "unexpected"]),
  /** The run's status (completed), or the status RunNotPausedError reported. */
  status: z.string().nullable(),
  detail: z.string().nullable(),
});
export type Outcome = z.infer<typeof outcomeSchema>;

export const messageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), pid: z.number() }),
  z.object({ type: z.literal("opened") }),
  z.object({ type: z.literal("raced"), outcomes: z.array(outcomeSchema) }),
  z.object({ type: z.literal("started") }),
  z.object({ type: z.literal("held"), runId: z.string(), point: z.enum(CRASH_POINTS) }),
  z.object({ type: z.literal("settled"), outcome: outcomeSchema }),
  z.object({ type: z.literal("killing") }),
  z.object({ type: z.literal("failed"), message: z.string() }),
]);
export type Message = z.infer<typeof messageSchema>;
