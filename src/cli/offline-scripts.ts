// Scripted-model parts the demo uses instead of a scenario's own script, where a script in step
// order would tell a wrong story: when another process continues the run, or when a rejected
// review asks the analyst for a new report. Like the scenarios' own scripts, each answer after a
// tool call is decided from the tool's result: a call that did not run is never reported as done.
import type { ModelRequest } from "../models/index.js";
import { type FakeScript, type FakeTurn, text, toolCall } from "../testing/index.js";

function lastToolResult(request: ModelRequest): string | null {
  const last = request.messages.at(-1);
  return last?.role === "tool" ? last.content : null;
}

/** AlertAgent's part, decided from the request alone, so any process can play any turn. */
function seedTurn(request: ModelRequest): FakeTurn {
  const result = lastToolResult(request);
  if (result === null) return toolCall("send_alert", { city: "Tokyo", message: "Heavy rain expected tonight." });
  if (result.startsWith("Alert sent")) return text(`Done: ${result}`);
  const note = /Note from the user: (.*)$/s.exec(result)?.[1];
  return text(`I did not send the alert, as you asked${note === undefined ? "" : ` (your note: ${note})`}.`);
}

/** The seed scenario's scripted model: call send_alert, then report what really happened. */
export function seedTurns(): FakeScript[] {
  return Array.from({ length: 20 }, () => seedTurn);
}

/** DataAnalyst's part for three attempts, so "reject and retry" has a new report each time; numbers only when the query ran. */
export function analystAttempts(): FakeScript[] {
  const reports = [
    "Q3 revenue was $1.2M, led by EMEA at $540k.",
    "Q3 revenue was $1.2M: EMEA $540k, AMER $430k, APAC $230k.",
    "Q3 revenue: $1.2M in total. EMEA led with $540k (45%), then AMER $430k and APAC $230k.",
  ];
  return reports.flatMap((report): FakeScript[] => [
    toolCall("query_database", { sql: "SELECT region, SUM(amount) FROM sales WHERE quarter = 'Q3' GROUP BY region" }),
    (request) =>
      text(
        lastToolResult(request)?.includes('"region"') === true
          ? report
          : "I could not query the database, so I have no numbers.",
      ),
  ]);
}
