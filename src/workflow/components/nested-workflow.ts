import type { Component } from "./component.js";

/** Marks a Workflow, so a Step can tell one given as its `executor` from a function. */
export const WORKFLOW_BRAND: unique symbol = Symbol("kern.workflow");

/** What a Step needs of a Workflow given as its `executor`: its name, id and components. */
export interface NestedWorkflow {
  readonly [WORKFLOW_BRAND]: true;
  readonly name: string;
  readonly id: string;
  readonly steps: readonly Component[];
}

/** True when `value` is a Workflow (given as a Step's executor). */
export function isNestedWorkflow(value: unknown): value is NestedWorkflow {
  return typeof value === "object" && value !== null && WORKFLOW_BRAND in value;
}
