import { intro } from "@clack/prompts";
import { SqliteDb } from "../db/sqlite/index.js";
import { type DemoScenario, findScenario, loadScenario, SCENARIOS, scenarioNumber } from "./catalog.js";
import type { PauseAsker } from "./decision.js";
import { drive } from "./drive.js";
import { EventRenderer } from "./render.js";
import { type AnswerFlags, chooseAsker, finish, modelNotice } from "./session.js";
import { SYMBOL, type Terminal } from "./terminal.js";
import { UsageError } from "./usage-error.js";

/** The options of `kern demo`, as commander parses them. */
export interface DemoFlags extends AnswerFlags {
  list?: boolean;
  db: string;
  input?: string;
  detach?: boolean;
}

/** `kern demo --list`: the scenarios, one a line. */
export function listScenarios(terminal: Terminal): number {
  const width = Math.max(...SCENARIOS.map((scenario) => scenario.name.length));
  terminal.output.write("Conformance scenarios (kern demo <name>, or its number):\n\n");
  for (const scenario of SCENARIOS) {
    terminal.output.write(
      `  ${String(scenarioNumber(scenario)).padStart(2)}  ${terminal.paint("bold", scenario.name.padEnd(width))}  ${scenario.summary}\n`,
    );
  }
  terminal.output.write(
    `\nThe first is the default. Each is a program with a test in kern's repository, examples/workflows/human-in-the-loop/nested/.\n`,
  );
  return 0;
}

const leaveAtFirstPause: PauseAsker = { who: "--detach", ask: async () => null };

/** How the demo was started: `npm run demo` in kern's repository (from the sources), else the installed `kern`. */
const DEMO_COMMAND = import.meta.url.endsWith(".ts") ? "npm run demo --" : "npx kern demo";

function scenarioNamed(name: string | undefined): DemoScenario {
  const scenario = name === undefined ? SCENARIOS[0] : findScenario(name);
  if (scenario === undefined) {
    throw new UsageError(
      `No scenario '${name ?? ""}'. Choose one of: ${SCENARIOS.map((entry) => entry.name).join(", ")} (kern demo --list).`,
    );
  }
  return scenario;
}

/** `kern demo [scenario]`: runs a scenario in the terminal, asking at each pause. */
export async function runDemo(name: string | undefined, flags: DemoFlags, terminal: Terminal): Promise<number> {
  if (flags.list === true) return listScenarios(terminal);
  const scenario = scenarioNamed(name);
  const asker = flags.detach === true ? leaveAtFirstPause : chooseAsker(flags, scenario.answers ?? {}, DEMO_COMMAND);
  intro(`kern demo · ${scenario.name}`, { output: terminal.output });
  terminal.line(SYMBOL.info, modelNotice(flags), "cyan");
  terminal.line(SYMBOL.info, `Runs are stored in ${flags.db}`, "cyan");
  const db = new SqliteDb({ dbFile: flags.db });
  try {
    const workflow = await loadScenario(scenario, db);
    const renderer = new EventRenderer(terminal);
    const result = await drive(workflow.runStream(flags.input ?? scenario.input), {
      workflow,
      asker,
      terminal,
      renderer,
    });
    return finish(result, renderer.toolRuns, flags.db, terminal);
  } finally {
    await db.close();
  }
}
