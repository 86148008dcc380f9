import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { promisify } from "node:util";

const example = new URL("./crash-and-recover.ts", import.meta.url).pathname;

describe("examples/faults/crash-and-recover.ts", () => {
  it("kills the paying process, recovers the run, and pays the invoice exactly once", { timeout: 60_000 }, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=kern-source", "--import", "tsx", example],
      { env: { ...process.env, NODE_NO_WARNINGS: "1" } },
    );
    const lines = stdout.trim().split("\n");
    assert.equal(lines[0], '1. The run paused for approval of pay({"invoice":"42","cents":12000})');
    assert.match(
      lines[1] ?? "",
      /^2\. The approving process died \(SIGKILL\) after paying: the ledger says "paid invoice 42: 12000 cents"$/,
    );
    assert.match(lines[2] ?? "", /^3\. recover\(\) took the run over: 1 call may or may not have run$/);
    assert.match(lines[3] ?? "", /skipped, the ledger shows it ran/);
    assert.equal(
      lines[4],
      '4. The run completed: "Invoice 42 was already paid; I did not pay it again." Invoice 42 was paid 1 time.',
    );
  });
});
