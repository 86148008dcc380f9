// The kern command's edges: its version, a reader that stops early, mistyped --set values, agent
// runs in the listing, and the scripted scenarios telling the truth after a rejection.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { kern, main, offlineEnv, root } from "./cli.test-helper.js";

const directory = mkdtempSync(join(tmpdir(), "kern-cli-usage-"));
after(() => rmSync(directory, { recursive: true, force: true }));

/** Runs `kern <args>` with its stdout closed by the reader before anything is written, as `| head -0` would. */
function kernIntoClosedPipe(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--conditions=kern-source", "--import", "tsx", main, ...args], {
      cwd: root,
      env: offlineEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("kern --version", { concurrency: true }, () => {
  it("--version and -V print the version in package.json", async () => {
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const { code, stdout } = await kern([flag]);
      assert.deepEqual([code, stdout], [0, `${version}\n`], flag);
    }
  });
});

describe("kern runs list and runs continue with agent runs", () => {
  const db = join(directory, "runs.db");
  let workflowRun = "";

  before(async () => {
    const started = await kern(["demo", "--detach", "--db", db]);
    workflowRun = /run ([0-9a-f-]{36})\)/.exec(started.stdout)?.[1] ?? "";
    // Approving the step only: its agent then pauses on the tool, in an agent run of its own.
    const stepApproved = await kern(["runs", "continue", workflowRun, "--db", db, "--approve", "--once"]);
    assert.equal(stepApproved.code, 0, stepApproved.stderr);
  });

  it("lists workflow and agent runs with their kind; --kind keeps one kind", async () => {
    const all = await kern(["runs", "list", "--db", db]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^RUN ID\s+KIND\s+WORKFLOW \/ AGENT\s+STATUS/);
    assert.match(all.stdout, new RegExp(`${workflowRun}\\s+workflow\\s+DualConfirmation\\s+paused`));
    assert.match(all.stdout, /\s+agent\s+AlertAgent\s+paused\s/);
    const agents = await kern(["runs", "list", "--db", db, "--kind", "agent"]);
    assert.doesNotMatch(agents.stdout, /\bworkflow\b/);
    assert.match(agents.stdout, /\bagent\s+\S+\s+paused/);
    const bad = await kern(["runs", "list", "--db", db, "--kind", "tool"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Allowed choices are workflow, agent/);
  });

  it("refuses to continue an agent run, saying to continue its workflow's run", async () => {
    const agents = await kern(["runs", "list", "--db", db, "--kind", "agent"]);
    const agentRun = /^([0-9a-f-]{36})\s+agent/m.exec(agents.stdout)?.[1];
    assert.ok(agentRun !== undefined, agents.stdout);
    const { code, stderr } = await kern(["runs", "continue", agentRun, "--db", db, "--approve"]);
    assert.equal(code, 1);
    assert.match(stderr, /is a run of agent '\S+', not of a workflow; kern runs continue answers workflow runs/);
  });

  it("a reader that closes the pipe early ends the output, not the command: no EPIPE crash", async () => {
    const { code, stderr } = await kernIntoClosedPipe(["runs", "list", "--db", db]);
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Error/);
  });
});

describe("--set values kern demo --approve cannot use", { concurrency: true }, () => {
  it("a --set name the form does not have exits 2 naming the form's fields, before anything runs", async () => {
    const { code, stdout, stderr } = await kern([
      "demo",
      "step-user-input",
      "--approve",
      "--set",
      "destnation=Oslo",
      "--db",
      join(directory, "typo.db"),
    ]);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /--set destnation: the form of Step book_travel has no field 'destnation'; its fields: destination\./,
    );
    assert.doesNotMatch(stdout, /book_flight ran/);
  });

  it("a route the router does not offer exits 2 naming the routes", async () => {
    const { code, stderr } = await kern([
      "demo",
      "router-selection",
      "--approve",
      "--set",
      "notification_router=pigeon",
      "--db",
      join(directory, "route.db"),
    ]);
    assert.equal(code, 2);
    assert.match(stderr, /--set notification_router=pigeon: Router notification_router offers email, sms, slack\./);
  });

  it("a --set value no pause asked for is named when the run ends", async () => {
    const { code, stdout } = await kern([
      "demo",
      "--approve",
      "--set",
      "city=Oslo",
      "--db",
      join(directory, "unused.db"),
    ]);
    assert.equal(code, 0);
    assert.match(stdout, /--set city was not used: no pause of this run asked for it\./);
  });
});

describe("the offline scenarios tell what happened", { concurrency: true }, () => {
  it("kern demo condition --reject: the rejected staging deploy is reported as not done", async () => {
    const { code, stdout, stderr } = await kern([
      "demo",
      "condition",
      "--reject",
      "--db",
      join(directory, "condition.db"),
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /completed: Announced: I did not deploy v2\.4\.0 to staging: the deploy was rejected\./);
    assert.doesNotMatch(stdout, /Deployed v2\.4\.0/);
  });

  it("a --module that does not exist exits 1 naming the path", async () => {
    const started = await kern(["demo", "--detach", "--db", join(directory, "module.db")]);
    const runId = /run ([0-9a-f-]{36})\)/.exec(started.stdout)?.[1] ?? "";
    const { code, stderr } = await kern([
      "runs",
      "continue",
      runId,
      "--db",
      join(directory, "module.db"),
      "--module",
      "./no-such-workflow.ts",
      "--approve",
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /No module at .*no-such-workflow\.ts\./);
  });
});
