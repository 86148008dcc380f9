// A node:test reporter that prints nothing while the tests run and, at the end, one JSON summary
// of what really ran: scripts/run-tests.mjs gives it a file of its own as destination (next to the
// spec reporter on stdout) and judges the run from it (scripts/test-verdict.mjs).
//
// Why a reporter: Node's own summary cannot be trusted for this. A suite skipped with
// `describe(…, { skip })` is one event for the suite and none for its tests, so the summary says
// "tests 0, skipped 0"; a file or a suite that registers no test passes; a todo test counts as a
// pass. The reporter sees every event: `skip` and `todo` on test:pass / test:fail (a string
// reason or true), and `details.type` telling a suite from a test. That is the same on Node 20
// and Node 24.
//
// Node wraps each test file in a test of its own, named after the file (the absolute path on
// Node 20, relative to the working directory on Node 24). It reports that wrapper as passing only
// when the file registered no test, and as failing when the file failed outside any test (say, it
// threw on import); it is not counted as a test.
//
// Node reports one file's tests as one uninterrupted sequence, even with files running in
// parallel: each test:start, then its subtests' events, then its own test:pass / test:fail. So a
// suite's subtests are the events one level deeper since its test:start; that is how a suite that
// registers no test is found. `file` is where a test was declared (a helper, sometimes); Node 24
// also gives `entryFile`, the test file that ran it, which is preferred when present.
import path from "node:path";

export default async function* honestyReporter(source) {
  const summary = {
    tests: 0,
    passed: 0,
    failed: 0,
    suites: 0,
    failures: [],
    skips: [],
    todos: [],
    emptySuites: [],
    emptyFiles: [],
    failedFiles: [],
  };
  const names = []; // the names of the tests started, by nesting level
  const finishedBelow = []; // per nesting level, how many tests finished there since its parent started
  for await (const event of source) {
    const data = event.data ?? {};
    if (event.type === "test:start") {
      names.length = data.nesting;
      names.push(data.name);
      finishedBelow[data.nesting + 1] = 0;
      continue;
    }
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const file = relativeFile(data.entryFile ?? data.file);
    if (isFileWrapper(data)) {
      if (event.type === "test:pass") summary.emptyFiles.push(file);
      else summary.failedFiles.push({ file, error: errorText(data.details?.error) });
      continue;
    }
    const subtests = finishedBelow[data.nesting + 1] ?? 0;
    finishedBelow[data.nesting] = (finishedBelow[data.nesting] ?? 0) + 1;
    record(summary, event.type === "test:pass", data, {
      file,
      name: [...names.slice(0, data.nesting), data.name].join(" > "),
      subtests,
    });
  }
  yield `${JSON.stringify(summary, null, 2)}\n`;
}

function record(summary, passed, data, { file, name, subtests }) {
  const isSuite = data.details?.type === "suite";
  const failure = () => ({ file, name, error: errorText(data.details?.error) });
  if (data.skip !== undefined && data.skip !== false) {
    summary.skips.push({ file, name, suite: isSuite, reason: data.skip === true ? "" : String(data.skip) });
  } else if (data.todo !== undefined && data.todo !== false) {
    summary.todos.push({ file, name, reason: data.todo === true ? "" : String(data.todo) });
  } else if (isSuite) {
    summary.suites += 1;
    if (subtests === 0) summary.emptySuites.push({ file, name });
    // A suite fails on its own when a hook throws; when a test inside failed, that test is listed.
    if (!passed && !failedForSubtests(data)) summary.failures.push(failure());
  } else {
    summary.tests += 1;
    if (passed) summary.passed += 1;
    else {
      summary.failed += 1;
      if (!failedForSubtests(data)) summary.failures.push(failure());
    }
  }
}

function isFileWrapper(data) {
  return (
    data.nesting === 0 &&
    typeof data.file === "string" &&
    typeof data.name === "string" &&
    path.resolve(data.name) === data.file
  );
}

function relativeFile(file) {
  return typeof file === "string" ? path.relative(process.cwd(), file) : "(unknown file)";
}

/** A suite or test failing only because a test inside it failed. */
function failedForSubtests(data) {
  return data.details?.error?.failureType === "subtestsFailed";
}

function errorText(error) {
  if (error === undefined || error === null) return "";
  const cause = typeof error.cause?.message === "string" ? error.cause.message : undefined;
  return String(cause ?? error.message ?? error)
    .split("\n")[0]
    .slice(0, 300);
}
