import type { Db } from "../db/index.js";
import type {
  AnyGatePolicy,
  DefinitionChoice,
  decidedUpstream,
  fallbackPolicy,
  holdWritesIn,
  Principal,
  parentClaim,
  UpstreamStamp,
  viaDecisionLink,
  WriteBatch,
} from "../runs/index.js";
import type { TraceSpan, traceParent } from "../telemetry/index.js";
import type { AgentEventListener } from "./events.js";

export interface RunOptions {
  sessionId?: string;
  userId?: string;
  runId?: string;
  signal?: AbortSignal;
  /** Store the run here instead of the agent's own db (workflows pass theirs). */
  db?: Db;
  /** Called with each event as it happens (runStream() uses this). */
  onEvent?: AgentEventListener;
  /** Use the model's streaming API so RunContent events carry text as it arrives. */
  stream?: boolean;
  /** The workflow run this run belongs to (set by workflows; its pauses are listed there). */
  parentRunId?: string;
  /** Internal: a workflow's batch that stores this run's final save with the workflow's own. */
  [holdWritesIn]?: WriteBatch;
  /** Internal: the span this run's spans nest under (a workflow step's). */
  [traceParent]?: TraceSpan;
  /** Internal: a workflow's default policy, for tool gates without the tool's or the agent's own. */
  [fallbackPolicy]?: AnyGatePolicy;
  /** Internal: the workflow run (claimed by the caller) this agent run belongs to (see parentClaim). */
  [parentClaim]?: string;
}

export type ContinueOptions = Pick<
  RunOptions,
  | "signal"
  | "db"
  | "onEvent"
  | "stream"
  | typeof holdWritesIn
  | typeof traceParent
  | typeof fallbackPolicy
  | typeof parentClaim
> &
  DefinitionChoice & {
    /**
     * Who decides: stored as `decidedBy` on every requirement this call decides, and checked
     * against each gate's `approvers` and `allowSelfApproval`. Without one, the decisions are
     * recorded as made by code (and a gate with `approvers` refuses them).
     */
    actor?: Principal;
    /** Internal: stamps a workflow already put on these decisions (see decidedUpstream). */
    [decidedUpstream]?: ReadonlyMap<string, UpstreamStamp>;
    /** Internal: the signed decision link these decisions came through (kern/server). */
    [viaDecisionLink]?: string;
  };
