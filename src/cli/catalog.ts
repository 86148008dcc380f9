import type { Db } from "../db/index.js";
import { Workflow } from "../workflow/index.js";
import { analystAttempts, seedTurns } from "./offline-scripts.js";
import { importUserModule } from "./user-module.js";

/** One runnable conformance scenario (SPEC section 6): a module exporting `build({ db })`. */
export interface DemoScenario {
  /** What `kern demo <name>` takes. */
  name: string;
  /** The module, in examples/workflows/human-in-the-loop/nested/. */
  file: string;
  /** The workflow input the scenario is written for. */
  input: string;
  summary: string;
  /** Sample answers for input forms, used by `--approve` when `--set` gives none. */
  answers?: Record<string, unknown>;
  /** Extra build options for the scripted model (offline), e.g. a script that survives a new process. */
  offline?: () => Record<string, unknown>;
}

const SCENARIO_DIR = new URL("../../examples/workflows/human-in-the-loop/nested/", import.meta.url);

/**
 * Where a scenario's module is. Run from the sources (this file is TypeScript, under tsx), it is
 * the program in examples/. The built package ships no examples/: scripts/bundle.mjs bundles each
 * scenario the catalog names into dist/esm/scenario-<file>.js, beside the CLI's own bundle, which
 * plain Node imports.
 */
function scenarioUrl(scenario: DemoScenario): URL {
  if (import.meta.url.endsWith(".ts")) return new URL(scenario.file, SCENARIO_DIR);
  return new URL(`./scenario-${scenario.file.replace(/\.ts$/, "")}.js`, import.meta.url);
}

/** The scenarios `kern demo` runs, in order; adding one is adding a line. The first is the default. */
export const SCENARIOS: readonly DemoScenario[] = [
  {
    name: "step-confirmation",
    file: "01_step_confirmation_and_tool_confirmation.ts",
    input: "Send a weather alert for Tokyo about heavy rain",
    summary: "The seed: approve the step, then the agent's send_alert call",
    offline: () => ({ script: seedTurns() }),
  },
  {
    name: "step-user-input",
    file: "02_step_user_input_and_tool_confirmation.ts",
    input: "Book me a flight from Berlin for next Friday",
    summary: "A form asks for the destination, then book_flight waits for approval",
    answers: { destination: "Lisbon" },
  },
  {
    name: "condition",
    file: "03_condition_and_tool_confirmation.ts",
    input: "Deploy version v2.4.0",
    summary: "Approve the condition (prod) or reject it (staging), then the deploy tool",
  },
  {
    name: "router-selection",
    file: "04_router_selection_and_tool_confirmation.ts",
    input: "Tell the on-call team: The payments API is down; we are on it.",
    summary: "You pick email, sms or slack; that agent's send tool waits for approval",
  },
  {
    name: "output-review",
    file: "05_output_review_and_tool_confirmation.ts",
    input: "Summarise Q3 sales by region",
    summary: "Approve the query, then review the report: keep, edit, or reject to retry",
    offline: () => ({ script: analystAttempts() }),
  },
  {
    name: "loop",
    file: "06_loop_confirmation_and_tool_confirmation.ts",
    input: "Publish the draft 'Spring launch'.",
    summary: "Approve the loop once, then one publish_draft approval per iteration",
  },
  {
    name: "router-confirmation",
    file: "07_router_confirmation_and_tool_confirmation.ts",
    input: "Scale the checkout service to 5 replicas.",
    summary: "Approve the router; its selector picks restart or scale from the input",
  },
  {
    name: "multi-step",
    file: "08_multi_step_mixed_hitl.ts",
    input: "Plan a new project.",
    summary: "Five pauses: a form, a step approval, two tool approvals, an output review",
    answers: { project_name: "Atlas", scope: "Mobile app MVP" },
  },
  {
    name: "sub-agent",
    file: "13_sub_agent_tool_retry.ts",
    input: "The orders database is down since 09:12.",
    summary: "Approve the step, then a sub-agent's page_oncall call (reject it: the agent retries)",
  },
  {
    name: "nested-workflow",
    file: "14_nested_workflow_router.ts",
    input: "Release 1.4.0",
    summary: "A workflow as a step: approve it, pick its inner route, then that deployer's tool",
  },
];

/** A scenario's number: the one its file name starts with ("13_…" is 13). */
export function scenarioNumber(scenario: DemoScenario): number {
  return Number.parseInt(scenario.file, 10);
}

/** The scenario named `name` (or its number, "1" or "01"), or undefined. */
export function findScenario(name: string): DemoScenario | undefined {
  const number = /^\d+$/.test(name) ? Number(name) : Number.NaN;
  return SCENARIOS.find(
    (scenario) =>
      scenario.name === name || scenarioNumber(scenario) === number || scenario.file.replace(/\.ts$/, "") === name,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

async function importModule(url: URL): Promise<Record<string, unknown>> {
  const module: unknown = await import(url.href);
  if (!isRecord(module)) throw new Error(`${url.pathname} is not a module.`);
  return module;
}

/** Calls a module's `build(options)` and returns the workflow it built. */
function buildWorkflow(module: Record<string, unknown>, options: Record<string, unknown>, where: string): Workflow {
  const build = module["build"];
  if (typeof build !== "function") throw new Error(`${where} exports no build() function.`);
  const built: unknown = Reflect.apply(build, module, [options]);
  const workflow = isRecord(built) ? built["workflow"] : undefined;
  if (!(workflow instanceof Workflow)) throw new Error(`${where}: build() returned no { workflow }.`);
  return workflow;
}

/** Builds a scenario's workflow on `db`; offline, with the scenario's extra scripted-model options. */
export async function loadScenario(scenario: DemoScenario, db: Db): Promise<Workflow> {
  const module = await importModule(scenarioUrl(scenario));
  const offline = process.env["OPENAI_API_KEY"] === undefined ? (scenario.offline?.() ?? {}) : {};
  return buildWorkflow(module, { ...offline, db }, scenario.file);
}

/**
 * The scenario whose workflow has id `workflowId` (a stored run's owner), built on `db`. A module
 * that fails to load is passed over; its error is returned with the result for the message.
 */
export async function scenarioWorkflow(
  workflowId: string,
  db: Db,
): Promise<{ match: { scenario: DemoScenario; workflow: Workflow } | null; problems: string[] }> {
  const problems: string[] = [];
  for (const scenario of SCENARIOS) {
    try {
      const workflow = await loadScenario(scenario, db);
      if (workflow.id === workflowId) return { match: { scenario, workflow }, problems };
    } catch (error) {
      problems.push(`${scenario.file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { match: null, problems };
}

/**
 * The workflow of a user's module (`--module <path>`, JavaScript or TypeScript): its `workflow`
 * export, or what its `build({ db })` returns. A `workflow` export keeps its own db, which must
 * hold the run.
 */
export async function moduleWorkflow(path: string, db: Db): Promise<Workflow> {
  const module = await importUserModule(path);
  const exported = module["workflow"];
  if (exported instanceof Workflow) return exported;
  return buildWorkflow(module, { db }, path);
}
