// Types for the tests that import scripts/test-prerequisites.mjs.
export type PrerequisiteName = "postgres" | "chromium" | "tmux";

/**
 * For a test's `skip` option: false when the prerequisite is there; when it is missing, a skip
 * reason if KERN_TEST_ALLOW_MISSING names it, and otherwise throws, failing the test file.
 */
export function requirePrerequisite(name: PrerequisiteName, env?: NodeJS.ProcessEnv): false | string;
