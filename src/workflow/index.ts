export type { UserInputField } from "../runs/index.js";
export type { Component } from "./components/component.js";
export { Condition, type ConditionEvaluator, type ConditionOptions } from "./components/condition.js";
export { Loop, type LoopEndCondition, type LoopOptions } from "./components/loop.js";
export { type OnBranchReject, Parallel, type ParallelOptions } from "./components/parallel.js";
export {
  Router,
  type RouterChoice,
  type RouterOptions,
  type RouterSelection,
  type RouterSelector,
} from "./components/router.js";
export { Step, type StepExecutor, type StepOptions } from "./components/step.js";
export { Steps, type StepsOptions } from "./components/steps.js";
export type { ContinueWorkflowRef, DecisionInput } from "./continue-input.js";
export type { PauseInfo, StepRef, WorkflowEvent, WorkflowEventListener, WorkflowEventName } from "./events.js";
export { pauseEvent, userInputJsonSchema } from "./events.js";
export type { RecoveredWorkflowRun, WorkflowRecovery } from "./recover.js";
export { StepInput } from "./step-input.js";
export { StepOutput } from "./step-output.js";
export { StepRequirement } from "./step-requirement.js";
export type { WorkflowContinueOptions, WorkflowRunStream } from "./workflow.js";
export { type SweepReport, Workflow, type WorkflowOptions, type WorkflowRunOptions } from "./workflow.js";
export { WorkflowRunOutput } from "./workflow-run-output.js";
