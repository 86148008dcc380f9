import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { promisify } from "node:util";

const example = new URL("./payables.ts", import.meta.url).pathname;

describe("examples/governed/payables.ts", () => {
  it("refuses the wrong principals over HTTP, pays once, and records who decided in a chain that verifies", {
    timeout: 60_000,
  }, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=kern-source", "--import", "tsx", example],
      {
        env: { ...process.env, NODE_NO_WARNINGS: "1" },
      },
    );
    const lines = stdout.trim().split("\n");
    assert.equal(lines[0], "1. Without a key: 401 KERN_UNAUTHENTICATED");
    assert.equal(lines[1], "2. Lena started the run and tries to approve her own plan: 403 KERN_NOT_AUTHORIZED");
    assert.equal(
      lines[2],
      "3. Fred (finance) may not decide the plan, so he does not even see the run: 404 KERN_RUN_NOT_FOUND",
    );
    assert.equal(lines[3], "4. Leo (lead) approved the plan; the run now waits for: executor");
    assert.equal(lines[4], "5. Lena tries to approve the payment: 403 KERN_NOT_AUTHORIZED; payments so far: 0");
    assert.equal(lines[5], "6. Fred approved the payment: the run is completed, payments made: 1");
    assert.match(
      lines[6] ?? "",
      /^ {3}decision 1: confirmation \{"type":"confirm"\} by leo \(lead\) at \d{4}-.*Z, shown [0-9a-f]{12}…$/,
    );
    assert.match(lines[7] ?? "", /^ {3}decision 2: confirmation \{"type":"confirm"\} by fred \(finance\) at /);
    assert.equal(lines[8], "7. The decisions chain verifies: true (2 entries)");
  });
});
