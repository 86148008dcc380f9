// The app's own program in the pack-and-install test, written as a user writes it: a TypeScript
// module defining a gated workflow (for `kern runs continue --module ./my-workflow.ts`), and a
// script that starts a run of it and leaves it paused in app.db. The module uses only TypeScript
// that Node's type stripping accepts, so on Node 22.18+ and 24 the CLI may import it directly.

/** my-workflow.ts: a step gated before it runs, whose executor logs each real publication. */
export const MY_WORKFLOW = `import { appendFileSync } from "node:fs";
import type { Db } from "kern";
import { Step, Workflow, type StepInput } from "kern/workflow";

interface Release {
  version: string;
}

function releaseOf(input: StepInput): Release {
  return { version: input.input.trim() };
}

export function build({ db }: { db: Db }): { workflow: Workflow } {
  const publish = new Step({
    name: "publish",
    requiresConfirmation: true,
    confirmationMessage: "Publish this release?",
    executor: (input: StepInput): string => {
      const release = releaseOf(input);
      appendFileSync("published.log", \`\${release.version}\\n\`);
      return \`Published \${release.version}\`;
    },
  });
  return { workflow: new Workflow({ name: "Release", db, steps: [publish] }) };
}
`;

/** start.ts: runs the workflow to its pause and prints the run's id and status as JSON. */
export const START = `import { SqliteDb } from "kern/db/sqlite";
import { build } from "./my-workflow.js";

const db = new SqliteDb({ dbFile: "app.db" });
const run = await build({ db }).workflow.run("v1.2.0");
console.log(JSON.stringify({ runId: run.runId, status: run.status }));
await db.close();
`;
