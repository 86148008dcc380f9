// The kern command line: the demo catalog, the pause questions and answers, and the loop that
// follows a workflow's event stream. Never imported by the library (see main.ts).
export { SCENARIOS, findScenario, type DemoScenario } from "./catalog.js";
export { applyDecision, describeDecision, type PauseAsker, type PauseDecision, type ToolDecision } from "./decision.js";
export { drive, type DriveOptions, type DriveResult } from "./drive.js";
export { flagAsker, type FlagAnswers } from "./flag-asker.js";
export { questionFromEvent, questionFromRun, type PauseQuestion } from "./pause-question.js";
export { pauseView, type PauseView } from "./pause-view.js";
export { buildProgram, runCli } from "./program.js";
export { EventRenderer } from "./render.js";
