export * from "./agent-run-state.js";
export { agentRunCodec, decodeAgentRunState, encodeAgentRunState } from "./agent-run-codec.js";
export { decodeState, parseStateText, type StateMigration, type VersionedCodec } from "./codec.js";
export { checkValues } from "./check-values.js";
export {
  claimRun,
  compareAndSave,
  DEFAULT_LEASE_MS,
  loadRun,
  saveRun,
  type BaseRunState,
  type LoadedRun,
  type RunAccess,
} from "./run-store.js";
export * from "./workflow-run-state.js";
export { decodeWorkflowRunState, encodeWorkflowRunState, workflowRunCodec } from "./workflow-run-codec.js";
export { expiredRuns } from "./expired-runs.js";
export { lazyModule } from "./lazy-module.js";
export { runSchemas, type RunSchemas } from "./run-schemas.js";
export { decodeRunRequirement, decodeStepRequirement, REQUIREMENT_SCHEMA_VERSION } from "./requirement-json.js";
export { FRAME_DEFAULTS, STEP_REQUIREMENT_DEFAULTS } from "./shapes.js";
export { chainListeners, isAbort, runFailure } from "./run-failure.js";
