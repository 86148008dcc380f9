import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { build } from "../../examples/workflows/human-in-the-loop/nested/01_step_confirmation_and_tool_confirmation.js";
import type { RunRecord, RunWrite } from "../db/db.js";
import { SqliteDb } from "../db/sqlite/index.js";
import { StoreError } from "../errors.js";
import { requestBody, startFakeResponsesServer } from "../models/openai/responses-fake-server.test-helper.js";
import { count, kern } from "./cli.test-helper.js";
import { seedTurns } from "./offline-scripts.js";

/** A SqliteDb whose chosen write dies, as the process making it would. */
class DyingSqliteDb extends SqliteDb {
  dieOn: ((record: RunRecord) => boolean) | undefined;
  override async updateRun(record: RunRecord, expectedRevision: number): Promise<boolean> {
    if (this.dieOn?.(record) === true) throw new StoreError("process died");
    return super.updateRun(record, expectedRevision);
  }
  override async writeRuns(writes: readonly RunWrite[]): Promise<boolean> {
    if (writes.some(({ record }) => this.dieOn?.(record) === true)) throw new StoreError("process died");
    return super.writeRuns(writes);
  }
}

const directory = mkdtempSync(join(tmpdir(), "kern-cli-"));
after(() => rmSync(directory, { recursive: true, force: true }));

// The tests start their processes at once: each spends most of its time loading, not running.
describe("kern demo and kern runs without a terminal", { concurrency: true }, () => {
  it("--approve runs the seed offline, shows both pauses and sends the alert for Tokyo once", async () => {
    const { code, stdout } = await kern(["demo", "--approve", "--db", join(directory, "approve.db")]);
    assert.equal(code, 0);
    assert.equal(count(stdout, "No OPENAI_API_KEY: running offline on a scripted model."), 1);
    assert.match(stdout, /Pause 1: step send_alert waits for your approval/);
    assert.match(stdout, /message +Proceed with sending the alert\?/);
    assert.match(stdout, /Pause 2: AlertAgent wants to call a tool/);
    assert.match(stdout, /tool +send_alert/);
    assert.match(stdout, /arguments city +"Tokyo"/);
    assert.equal(count(stdout, "send_alert ran: Alert sent for Tokyo"), 1);
    assert.match(stdout, /completed: Logged: Done: Alert sent for Tokyo/);
    assert.match(stdout, /completed · 2 pauses answered · tools run: send_alert ×1/);
  });

  it("with OPENAI_API_KEY set, talks to OpenAIResponses (the model --model names) and says so", async () => {
    const fake = await startFakeResponsesServer();
    try {
      fake.enqueue({
        toolCalls: [{ callId: "call_1", name: "send_alert", arguments: { city: "Osaka", message: "Typhoon warning" } }],
      });
      fake.enqueue({ text: "The alert for Osaka is out." });
      const env = { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: fake.baseURL };
      const { code, stdout, stderr } = await kern(
        ["demo", "--approve", "--model", "gpt-test-model", "--db", join(directory, "online.db")],
        { env },
      );
      assert.equal(code, 0, stderr);
      assert.match(stdout, /OPENAI_API_KEY is set: using OpenAIResponses \(gpt-test-model\)\./);
      assert.doesNotMatch(stdout, /offline/);
      assert.match(stdout, /arguments city +"Osaka"/);
      assert.equal(count(stdout, "send_alert ran: Alert sent for Osaka: Typhoon warning"), 1);
      assert.match(stdout, /completed: Logged: The alert for Osaka is out\./);
      assert.equal(fake.requests.length, 2);
      assert.equal(requestBody(fake.requests[0])["model"], "gpt-test-model");
    } finally {
      await fake.close();
    }
  });

  it("--reject completes with nothing sent", async () => {
    const { code, stdout } = await kern(["demo", "--reject", "--db", join(directory, "reject.db")]);
    assert.equal(code, 0);
    assert.match(stdout, /--reject: rejected/);
    assert.match(stdout, /send_alert skipped/);
    assert.match(stdout, /completed: Logged: nothing was sent/);
    assert.match(stdout, /completed · 1 pause answered · no tool ran/);
    assert.doesNotMatch(stdout, /Alert sent/);
  });

  it("kern runs continue resumes a run recover() paused at a checkpoint, asking only what is still open", async () => {
    const dbFile = join(directory, "recovered.db");
    const db = new DyingSqliteDb({ dbFile });
    const { workflow } = build({ db, script: seedTurns() });
    const paused = await workflow.run("Send a weather alert for Tokyo about heavy rain");
    paused.stepRequirements.at(-1)?.confirm();
    // The process dies as the approved step's agent first stores anything (its pause, which
    // carries the step's start): the workflow's claim (with the decision) is stored, nothing after.
    db.dieOn = (record) => record.kind === "agent";
    await assert.rejects(workflow.continueRun(paused), /process died/);
    db.dieOn = undefined;
    const { workflowRuns } = await workflow.recover({ now: Date.now() + 60 * 60 * 1000 });
    assert.deepEqual(
      workflowRuns.map((run) => run.needsDecision),
      [false],
    );
    await db.close();

    const { code, stdout, stderr } = await kern(["runs", "continue", paused.runId, "--db", dbFile, "--approve"]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /Resuming the run from its last checkpoint: nothing waits for a decision\./);
    assert.doesNotMatch(stdout, /step send_alert waits for your approval/, "the stored decision stood");
    assert.match(stdout, /Pause 1: AlertAgent wants to call a tool/);
    assert.equal(count(stdout, "send_alert ran: Alert sent for Tokyo"), 1);
    assert.match(stdout, /completed · 1 pause answered · tools run: send_alert ×1/);
  });

  it("exits 2 with a clear message, running nothing, when stdin is not a terminal and no flag is given", async () => {
    const { code, stdout, stderr } = await kern(["demo", "--db", join(directory, "no-tty.db")]);
    assert.equal(code, 2);
    assert.match(stderr, /stdin is not a terminal/);
    assert.match(stderr, /npm run demo -- --approve/);
    assert.doesNotMatch(stdout, /started/);
  });

  it("--list names every conformance scenario, and a listed name runs", async () => {
    const listing = await kern(["demo", "--list"]);
    assert.equal(listing.code, 0);
    for (const name of [
      "step-confirmation",
      "step-user-input",
      "condition",
      "router-selection",
      "output-review",
      "loop",
      "router-confirmation",
      "multi-step",
    ]) {
      assert.match(listing.stdout, new RegExp(`\\b${name}\\b`));
    }
    const travel = await kern([
      "demo",
      "step-user-input",
      "--approve",
      "--set",
      "destination=Oslo",
      "--db",
      join(directory, "travel.db"),
    ]);
    assert.equal(travel.code, 0);
    assert.match(travel.stdout, /input +destination \(string, required\): City to fly to/);
    assert.match(travel.stdout, /book_flight ran: Flight booked: Berlin → Oslo/);
  });

  it("shows the path of every pause, through steps, workflows and agents to the tool (scenarios 13 and 14)", async () => {
    const subAgent = await kern(["demo", "13", "--approve", "--db", join(directory, "sub-agent.db")]);
    assert.equal(subAgent.code, 0, subAgent.stderr);
    assert.match(subAgent.stdout, /path +IncidentResponse › respond\b/);
    assert.match(subAgent.stdout, /path +IncidentResponse › respond › Coordinator › Notifier ›[\s│]+page_oncall/);
    assert.match(subAgent.stdout, /page_oncall ran: Paged database/);
    const nested = await kern(["demo", "nested-workflow", "--approve", "--db", join(directory, "nested.db")]);
    assert.equal(nested.code, 0, nested.stderr);
    assert.match(nested.stdout, /path +ReleaseTrain › deploy › Deploy › target\b/);
    assert.match(nested.stdout, /deploy_staging ran: Deployed 1\.4\.0 to staging/);
  });

  it("refuses an unknown scenario and lists the names", async () => {
    const { code, stderr } = await kern(["demo", "no-such-scenario", "--approve"]);
    assert.equal(code, 2);
    assert.match(stderr, /No scenario 'no-such-scenario'\. Choose one of: step-confirmation, /);
  });

  it("kern runs: a run another process left paused is listed, continued by `kern runs continue` through the bin, and gone from the paused list after", async () => {
    const db = join(directory, "shared.db");
    const started = await kern(["demo", "--detach", "--db", db]);
    assert.equal(started.code, 0);
    const runId = /run ([0-9a-f-]{36})\)/.exec(started.stdout)?.[1];
    assert.ok(runId !== undefined, started.stdout);
    assert.match(
      started.stdout,
      new RegExp(
        `Left paused\\. Continue it later from any terminal, in this directory:\\s+npx kern runs continue ${runId} --db `,
      ),
    );

    const before = await kern(["runs", "list", "--db", db, "--status", "paused"]);
    assert.equal(before.code, 0);
    assert.match(
      before.stdout,
      new RegExp(`${runId}\\s+workflow\\s+DualConfirmation\\s+paused .*send_alert: Proceed with sending the alert\\?`),
    );

    // A second process answers the step's pause only; its agent then pauses on the tool.
    const stepApproved = await kern(["runs", "continue", runId, "--db", db, "--approve", "--once"]);
    assert.equal(stepApproved.code, 0, stepApproved.stderr);
    assert.match(stepApproved.stdout, /Pause 1: step send_alert waits for your approval/);
    assert.match(stepApproved.stdout, /Left paused \(1 pause answered\)/);
    const waiting = await kern(["runs", "list", "--db", db, "--status", "paused"]);
    assert.match(waiting.stdout, new RegExp(`${runId}\\s+workflow\\s+DualConfirmation\\s+paused .*send_alert`));

    // A third process, through the real bin, answers the tool call; the alert goes out once.
    const continued = await kern(["runs", "continue", runId, "--db", db, "--approve"], { viaBin: true });
    assert.equal(continued.code, 0, continued.stderr);
    assert.match(continued.stdout, /Pause 1: AlertAgent wants to call a tool/);
    assert.match(continued.stdout, /arguments city +"Tokyo"/);
    assert.equal(count(continued.stdout, "send_alert ran: Alert sent for Tokyo"), 1);
    assert.match(continued.stdout, /completed: Logged: Done: Alert sent for Tokyo/);
    assert.match(continued.stdout, /completed · 1 pause answered · tools run: send_alert ×1/);

    const afterwards = await kern(["runs", "list", "--db", db, "--status", "paused"]);
    assert.doesNotMatch(afterwards.stdout, new RegExp(runId));
    assert.match(afterwards.stdout, /No paused runs in /);
    const again = await kern(["runs", "continue", runId, "--db", db, "--approve"]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is completed; only a paused run can be continued/);
  });
});
