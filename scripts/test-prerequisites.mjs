// What the test suite needs from the machine, in one place: scripts/run-tests.mjs checks every
// prerequisite before any test runs, and the tests that need one call requirePrerequisite() to
// decide whether they run. A missing prerequisite fails the run, with the command that installs
// it. The only way around that is to name it in KERN_TEST_ALLOW_MISSING (CI never sets it): its
// tests are then skipped with a reason the runner recognises, and the run says loudly that they
// did not run.
//
//   import { requirePrerequisite } from "../../scripts/test-prerequisites.mjs";
//   describe("the inbox in Chromium", { skip: requirePrerequisite("chromium") }, () => { … });
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { findPostgresBinaries } from "./postgres-cluster.mjs";

export const ALLOW_MISSING_VARIABLE = "KERN_TEST_ALLOW_MISSING";
const MISSING_PREFIX = "missing prerequisite ";

/** Where Chromium is looked for; the variable exists to test the runner's own check. */
function chromiumPath(env = process.env) {
  return env.KERN_TEST_CHROMIUM_PATH || "/usr/bin/chromium";
}

/**
 * Each prerequisite: what it is, how to install it, whether the runner finds it (`runnerHas`) and
 * whether a test process has it (`testHas`, else `testMissing` says why). The two checks differ
 * only for PostgreSQL: the runner needs the server binaries to start a throwaway cluster, a test
 * needs the URL the runner then sets.
 */
const PREREQUISITES = {
  postgres: {
    what: () => "the PostgreSQL server binaries (initdb, pg_ctl)",
    install: "apt-get install -y postgresql (or set KERN_TEST_POSTGRES_URL to a server the tests may use)",
    runnerHas: (env) => Boolean(env.KERN_TEST_POSTGRES_URL) || findPostgresBinaries() !== null,
    testHas: (env) => Boolean(env.KERN_TEST_POSTGRES_URL),
    testMissing: () =>
      "KERN_TEST_POSTGRES_URL is not set: run the tests with npm test (it starts a throwaway PostgreSQL) or point it at a server",
  },
  chromium: {
    what: (env) => `Chromium at ${chromiumPath(env)}`,
    install: "apt-get install -y chromium",
    runnerHas: (env) => isExecutable(chromiumPath(env)),
    testHas: (env) => isExecutable(chromiumPath(env)),
    testMissing: (env) => `Chromium is missing at ${chromiumPath(env)}`,
  },
  tmux: {
    what: () => "tmux",
    install: "apt-get install -y tmux",
    runnerHas: hasTmux,
    testHas: hasTmux,
    testMissing: () => "tmux is not on the PATH",
  },
};

/** The prerequisite names listed in KERN_TEST_ALLOW_MISSING; throws on a name it does not know. */
export function allowedMissing(env = process.env) {
  const names = (env[ALLOW_MISSING_VARIABLE] ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  for (const name of names) {
    if (!Object.hasOwn(PREREQUISITES, name)) {
      throw new Error(
        `${ALLOW_MISSING_VARIABLE} names '${name}'; known prerequisites: ${Object.keys(PREREQUISITES).join(", ")}`,
      );
    }
  }
  return new Set(names);
}

/**
 * For a test's `skip` option: false when the prerequisite is there; when it is missing, a skip
 * reason if KERN_TEST_ALLOW_MISSING names it, and otherwise an Error that fails the test file.
 */
export function requirePrerequisite(name, env = process.env) {
  const prerequisite = PREREQUISITES[name];
  if (prerequisite === undefined) throw new Error(`unknown test prerequisite '${name}'`);
  if (prerequisite.testHas(env)) return false;
  if (allowedMissing(env).has(name)) return `${MISSING_PREFIX}${name}, allowed by ${ALLOW_MISSING_VARIABLE}`;
  throw new Error(
    `${prerequisite.testMissing(env)}. To run these tests: ${prerequisite.install}. To skip them knowingly: ${ALLOW_MISSING_VARIABLE}=${name} (npm test then lists them as NOT RUN).`,
  );
}

/** The prerequisite a skip reason from requirePrerequisite() names, or null for any other skip. */
export function prerequisiteSkipped(reason) {
  const match = /^missing prerequisite (\w+), allowed by /.exec(reason);
  return match === null ? null : match[1];
}

/** The prerequisites the runner cannot find, each with what it is and how to install it. */
export function missingPrerequisites(env = process.env) {
  return Object.entries(PREREQUISITES)
    .filter(([, prerequisite]) => !prerequisite.runnerHas(env))
    .map(([name, prerequisite]) => ({ name, what: prerequisite.what(env), install: prerequisite.install }));
}

function hasTmux() {
  return spawnSync("tmux", ["-V"], { stdio: "ignore" }).status === 0;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
