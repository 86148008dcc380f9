import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const script = new URL("./send-alert.ts", import.meta.url).pathname;
const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: "1" };
delete env["OPENAI_API_KEY"];

async function demo(flag: string): Promise<string> {
  const { stdout } = await run(process.execPath, ["--conditions=kern-source", "--import", "tsx", script, flag], {
    env,
  });
  return stdout;
}

describe("the agent demo (examples/agents/send-alert.ts)", () => {
  it("runs offline, shows the paused call and sends the alert on --approve", async () => {
    const output = await demo("--approve");
    assert.match(output, /running offline on a scripted model/);
    assert.match(output, /AlertAgent wants to call send_alert with \{"city":"Tokyo"/);
    assert.match(output, /completed: Done: Alert sent for Tokyo/);
  });

  it("sends nothing on --reject", async () => {
    const output = await demo("--reject");
    assert.match(output, /completed: I did not send the alert/);
    assert.doesNotMatch(output, /Alert sent for/);
  });

  it("exits with a clear message instead of hanging when stdin is not a terminal and no flag is given", async () => {
    await assert.rejects(demo("--verbose"), (error: Error & { code?: number; stderr?: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr ?? "", /pass --approve or --reject/);
      return true;
    });
  });
});
