// Judges a test run from the summary scripts/test-honesty-reporter.mjs wrote: a run passes only
// when Node's runner passed, at least one test ran, no test or suite was skipped (except for a
// missing prerequisite named in KERN_TEST_ALLOW_MISSING), nothing is left as todo, and every file
// and every suite registered a test. Returns the lines to print; the caller prints them and sets
// the exit code.
import { ALLOW_MISSING_VARIABLE, prerequisiteSkipped } from "./test-prerequisites.mjs";

const LISTED = 40;

/**
 * @param summary the reporter's JSON, or null when it wrote none
 * @param options.files the test files given to the runner, relative to the repository
 * @param options.exitCode the exit code of Node's test runner
 * @param options.allowed the prerequisites KERN_TEST_ALLOW_MISSING names
 */
export function judge(summary, { files, exitCode, allowed }) {
  if (summary === null) {
    return {
      ok: false,
      problems: ["the test reporter wrote no summary: Node's test runner stopped before the end of the run"],
      notices: [],
      counts: "",
    };
  }
  const problems = [];
  const notices = [];
  if (exitCode !== 0 || summary.failed > 0 || summary.failures.length > 0 || summary.failedFiles.length > 0) {
    problems.push(`${summary.failed} test(s) failed (Node's test runner exited with ${exitCode})`);
    for (const failure of summary.failures.slice(0, LISTED))
      problems.push(`  ✖ ${failure.file}: ${failure.name}${failure.error ? ` — ${failure.error}` : ""}`);
    for (const failed of summary.failedFiles)
      problems.push(`  ✖ ${failed.file} failed outside any test${failed.error ? `: ${failed.error}` : ""}`);
    if (summary.failures.length > LISTED) problems.push(`  … and ${summary.failures.length - LISTED} more`);
  }
  const allowedSkip = (skip) => allowed.has(prerequisiteSkipped(skip.reason));
  const skipped = summary.skips.filter((skip) => !allowedSkip(skip));
  if (skipped.length > 0) {
    problems.push(
      `${skipped.length} test(s) or suite(s) skipped; a skipped test is a test that did not run. Make them run, or remove them:`,
    );
    for (const skip of skipped) problems.push(`  ↓ ${describeSkip(skip)}`);
  }
  const notRun = summary.skips.filter(allowedSkip);
  if (notRun.length > 0) {
    notices.push(
      `NOT RUN: ${ALLOW_MISSING_VARIABLE}=${[...allowed].join(",")} let ${notRun.length} test(s) or suite(s) skip for a missing prerequisite. This run does not test them:`,
    );
    for (const skip of notRun) notices.push(`  ↓ ${describeSkip(skip)}`);
  }
  if (summary.todos.length > 0) {
    problems.push(`${summary.todos.length} todo test(s): Node counts them as passing whatever they do`);
    for (const todo of summary.todos) problems.push(`  … ${todo.file}: ${todo.name}`);
  }
  if (summary.emptyFiles.length > 0) {
    problems.push(`${summary.emptyFiles.length} test file(s) registered no test:`);
    for (const file of summary.emptyFiles) problems.push(`  ∅ ${file}`);
  }
  if (summary.emptySuites.length > 0) {
    problems.push(`${summary.emptySuites.length} suite(s) registered no test:`);
    for (const suite of summary.emptySuites) problems.push(`  ∅ ${suite.file}: ${suite.name}`);
  }
  if (summary.tests === 0) problems.push("no test ran");
  const counts = `${summary.tests} tests (${summary.passed} passed, ${summary.failed} failed) in ${summary.suites} suites and ${files.length} files; ${summary.skips.length} skipped`;
  return { ok: problems.length === 0, problems, notices, counts };
}

function describeSkip(skip) {
  const what = skip.suite ? "suite" : "test";
  const unseen = skip.suite ? " (none of its tests ran, and Node's summary counts none of them)" : "";
  return `${what} ${skip.file}: ${skip.name}${skip.reason ? ` — ${skip.reason}` : ""}${unseen}`;
}
