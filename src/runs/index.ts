export { decodeAgentRunState, encodeAgentRunState } from "./agent-run-codec.js";
export * from "./agent-run-state.js";
export { type AuditChain, appendDecision, type ChainVerdict } from "./audit.js";
export { checkGatePolicy, type GatePolicy, openGate, refusal } from "./authorize.js";
export {
  type AnyGatePolicy,
  askPolicy,
  checkPolicy,
  fallbackPolicy,
  type PolicyAnswer,
  type PolicyVerdict,
  type StepPolicy,
  type StepPolicyContext,
  type ToolPolicy,
  type ToolPolicyContext,
} from "./auto-policy.js";
export {
  checkId,
  checkInputText,
  checkJsonData,
  checkOptionalId,
  INPUT_LIMITS,
  jsonDataProblem,
} from "./check-input.js";
export { checkValues } from "./check-values.js";
export { Claim } from "./claim.js";
export {
  type GateReminder,
  type LapseResult,
  type SweepReport,
  sweepDeadlines,
} from "./deadline-sweep.js";
export { type DefinitionChoice, servingDefinition } from "./definition-check.js";
export {
  auditedDecision,
  checkEditedArgs,
  editedArgsNote,
  useEditedArgs,
} from "./edited-args.js";
export { RunEventLog, watchRunEvents } from "./event-log.js";
export { RunStream } from "./event-stream.js";
export { fingerprintOf } from "./fingerprint.js";
export {
  checkGateTimeout,
  type DeadlineGate,
  deadlineOutcome,
  decidedByDeadline,
  dueLapse,
  escalatedPolicy,
  escalateGate,
  type GateEscalation,
  type GateTimeout,
  stampDeadline,
  startDeadline,
  waitedSeconds,
} from "./gate-timeout.js";
export {
  checkGrantRequest,
  copyConfirm,
  findGrant,
  grantRecordFor,
  grantsToStore,
} from "./grants.js";
export { handOffRun } from "./hand-off.js";
export { lazyModule } from "./lazy-module.js";
export { checkLeaseMs, DEFAULT_LEASE_MS } from "./lease.js";
export { migrateStepRequirement, migrateToolRequirement } from "./migrate-decisions.js";
export { newId } from "./new-id.js";
export {
  describeToolCall,
  type PausedToolCall,
  pausedToolCalls,
} from "./paused-tool-calls.js";
export {
  type Approvers,
  DECIDED_BY_TIMEOUT,
  type DecidedBy,
  type DecisionStamp,
  decidedByOf,
  decidedUpstream,
  describeDecider,
  type Principal,
  type UpstreamStamp,
  upstreamStamps,
  viaDecisionLink,
} from "./principal.js";
export { processQueued } from "./queued-run.js";
export { expiredRuns, type SkippedRun, visitEach } from "./recovery.js";
export {
  checkSuppliedVersion,
  decodeRunRequirement,
  decodeStepRequirement,
  REQUIREMENT_SCHEMA_VERSION,
} from "./requirement-json.js";
export { chainListeners, isAbort, runFailure } from "./run-failure.js";
export {
  checkQueue,
  type EnqueuedRun,
  type QueuedRunOutcome,
  type RunJob,
  type RunQueue,
  requireQueue,
  ringQueue,
  type SkipReason,
} from "./run-queue.js";
export { compareAndSave, type LoadedRun, loadRun, type RunAccess } from "./run-record.js";
export { runSchemas } from "./run-schemas.js";
export { RunView } from "./run-view.js";
export {
  AGENT_REQUIREMENT_DEFAULTS,
  AGENT_RUN_DEFAULTS,
  addUsage,
  BRANCH_DEFAULTS,
  cloneJson,
  FRAME_DEFAULTS,
  freshDefaults,
  GATE_DEFAULTS,
  NO_USAGE,
  REQUIREMENT_DEFAULTS,
  RETRY_DEFAULTS,
  WORKFLOW_RUN_DEFAULTS,
} from "./shapes.js";
export { DecidedView, stepGateDigest, toolCallDigest } from "./shown.js";
export {
  findSite,
  openSites,
  requirementSites,
  runsOfTree,
  subRunsOf,
} from "./sub-runs.js";
export { verifyDecisionChain } from "./verify-chain.js";
export { decodeWorkflowRunState, encodeWorkflowRunState } from "./workflow-run-codec.js";
export * from "./workflow-run-state.js";
export { holdWritesIn, parentClaim, WriteBatch } from "./write-batch.js";
