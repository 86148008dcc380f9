// npm test's own honesty: scripts/run-tests.mjs run on small fixture files (scripts/fixtures/
// test-runner/) must fail on every kind of skip, on a file with no test and on a missing
// prerequisite, and pass, loudly, only when KERN_TEST_ALLOW_MISSING names what is missing.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { requirePrerequisite } from "./test-prerequisites.mjs";

const root = new URL("..", import.meta.url).pathname;
const fixture = (name: string): string => join("scripts/fixtures/test-runner", `${name}.fixture.mjs`);
const NO_CHROMIUM = "/nonexistent/chromium";

/** The prerequisites the outer run may already lack; the inner runs must not trip over them. */
const outerAllowed = (process.env["KERN_TEST_ALLOW_MISSING"] ?? "")
  .split(",")
  .filter((name) => name !== "" && name !== "chromium");

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runner(files: string[], env: Record<string, string>): Promise<Outcome> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    // The fixtures need no server: a URL stops the runner from starting a throwaway cluster.
    KERN_TEST_POSTGRES_URL: "postgres://unused@127.0.0.1:1/none",
    KERN_TEST_ALLOW_MISSING: outerAllowed.join(","),
    ...env,
  };
  // Set by the outer test runner; a nested `node --test` would take it as its own and report nothing.
  delete childEnv["NODE_TEST_CONTEXT"];
  delete childEnv["KERN_TEST_SUMMARY"];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/run-tests.mjs", "--files", ...files], {
      cwd: root,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm test's runner", { concurrency: true }, () => {
  it("fails a run with a skipped suite, skipped tests, a todo test, a file and a suite without tests, naming each", async () => {
    const outcome = await runner([fixture("passes"), fixture("skips"), fixture("empty"), fixture("empty-suite")], {});
    assert.equal(outcome.code, 1, outcome.stdout + outcome.stderr);
    assert.match(outcome.stdout, /3 test\(s\) or suite\(s\) skipped/);
    assert.match(
      outcome.stdout,
      /suite scripts\/fixtures\/test-runner\/skips\.fixture\.mjs: a skipped suite — the service is not installed/,
    );
    assert.match(outcome.stdout, /test .*: a suite with holes > is skipped when defined/);
    assert.match(outcome.stdout, /test .*: a suite with holes > skips itself at run time — not today/);
    assert.match(outcome.stdout, /1 todo test\(s\)/);
    assert.match(outcome.stdout, /1 test file\(s\) registered no test:\n.*empty\.fixture\.mjs/);
    assert.match(outcome.stdout, /1 suite\(s\) registered no test:\n.*empty-suite\.fixture\.mjs: a suite of nothing/);
    assert.match(
      outcome.stdout,
      /run-tests: FAILED on Node v\d+.*: 3 tests \(3 passed, 0 failed\) in 3 suites and 4 files; 3 skipped/,
    );
  });

  it("refuses to start when a prerequisite is missing, naming the package to install", async () => {
    const outcome = await runner([fixture("passes")], { KERN_TEST_CHROMIUM_PATH: NO_CHROMIUM });
    assert.equal(outcome.code, 1, outcome.stdout + outcome.stderr);
    assert.match(
      outcome.stderr,
      /missing prerequisites.*\n {2}- Chromium at \/nonexistent\/chromium: apt-get install -y chromium/,
    );
    assert.match(outcome.stderr, /set KERN_TEST_ALLOW_MISSING=chromium/);
    assert.doesNotMatch(outcome.stdout, /ℹ tests/, "no test ran");
  });

  it("passes without the prerequisite only when KERN_TEST_ALLOW_MISSING names it, and says what did not run", async () => {
    const allowed = [...outerAllowed, "chromium"].join(",");
    const outcome = await runner([fixture("passes"), fixture("needs-chromium")], {
      KERN_TEST_CHROMIUM_PATH: NO_CHROMIUM,
      KERN_TEST_ALLOW_MISSING: allowed,
    });
    assert.equal(outcome.code, 0, outcome.stdout + outcome.stderr);
    assert.match(
      outcome.stderr,
      /NOTICE: Chromium at \/nonexistent\/chromium missing; KERN_TEST_ALLOW_MISSING names 'chromium', so its tests will NOT RUN/,
    );
    assert.match(
      outcome.stdout,
      /NOT RUN: .* 1 test\(s\) or suite\(s\) skip for a missing prerequisite.*\n.*suite .*needs-chromium\.fixture\.mjs: a page in Chromium/,
    );
    assert.match(
      outcome.stdout,
      /PASSED, with tests NOT RUN .*: 2 tests \(2 passed, 0 failed\) in 1 suites and 2 files; 1 skipped/,
    );
  });

  it("fails a test file that needs a missing prerequisite unless the opt-out names it", () => {
    const env = { KERN_TEST_CHROMIUM_PATH: NO_CHROMIUM };
    assert.throws(
      () => requirePrerequisite("chromium", env),
      /Chromium is missing at \/nonexistent\/chromium\. To run these tests: apt-get install -y chromium\./,
    );
    assert.equal(
      requirePrerequisite("chromium", { ...env, KERN_TEST_ALLOW_MISSING: "tmux,chromium" }),
      "missing prerequisite chromium, allowed by KERN_TEST_ALLOW_MISSING",
    );
    assert.throws(
      () => requirePrerequisite("chromium", { ...env, KERN_TEST_ALLOW_MISSING: "chromeum" }),
      /KERN_TEST_ALLOW_MISSING names 'chromeum'/,
    );
  });
});
