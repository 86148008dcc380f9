// The test process's helpers: one store of its own per test (a SQLite file in a temp directory,
// or a fresh PostgreSQL schema dropped afterwards), paused runs to race over, and a seeded random
// number generator so a failing trial can be replayed.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "kern";
import pg from "pg";
import { requirePrerequisite } from "../../scripts/test-prerequisites.mjs";
import { openStore, type StoreConfig, startingAgent } from "./fixture.test-helper.js";
import { type RunShape, startingCoordinator, startingFanOut } from "./nested-fixture.test-helper.js";
import type { RunToContinue, Target } from "./protocol.test-helper.js";

export const postgresUrl = process.env["KERN_TEST_POSTGRES_URL"] ?? "";
// Without a server the importing test file fails (npm test starts one), unless
// KERN_TEST_ALLOW_MISSING=postgres says to skip the PostgreSQL half knowingly.
export const skipPostgres = requirePrerequisite("postgres");

/** The stores every exactly-once test runs against. */
export const STORE_KINDS = [
  { kind: "sqlite", skip: false },
  { kind: "postgres", skip: skipPostgres },
] as const;

/** A store of a test's own, the test process's connection to it, and a way to remove it. */
export interface TestStore {
  config: Target;
  db: Db;
  directory: string;
  dispose(): Promise<void>;
}

export async function createTestStore(kind: StoreConfig["kind"], name: string): Promise<TestStore> {
  const directory = mkdtempSync(join(tmpdir(), `kern-exactly-once-${name}-`));
  const logFile = join(directory, "executions.log");
  const store: StoreConfig =
    kind === "sqlite"
      ? { kind, dbFile: join(directory, "runs.db") }
      : { kind, dbUrl: postgresUrl, schema: `kern_exactly_once_${randomBytes(6).toString("hex")}` };
  const db = await openStore(store);
  // Create the tables now, so worker processes started next never race to migrate a fresh store.
  await db.listRuns({ limit: 1 });
  const dispose = async (): Promise<void> => {
    await db.close();
    if (store.kind === "postgres") {
      const admin = new pg.Pool({ connectionString: postgresUrl, max: 1 });
      await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(store.schema)} CASCADE`);
      await admin.end();
    }
    rmSync(directory, { recursive: true, force: true });
  };
  return { config: { store, logFile }, db, directory, dispose };
}

/** Starts `count` runs that pause on the gated tool call; returns each with its requirement approved. */
export async function createApprovedRuns(store: TestStore, count: number): Promise<RunToContinue[]> {
  const create = async (index: number): Promise<RunToContinue> => {
    const paused = await startingAgent(store.db, store.config.logFile, `City ${index}`).run(
      `Send alert number ${index}`,
    );
    if (!paused.isPaused || paused.activeRequirements.length !== 1) {
      throw new Error(`run ${index} did not pause on one requirement: ${paused.status}`);
    }
    const requirements = paused.activeRequirements.map((requirement) => {
      requirement.confirm();
      return requirement.toJSON();
    });
    return { runId: paused.runId, sessionId: paused.sessionId, requirements };
  };
  // A few at a time: PostgreSQL round trips overlap; SQLite writes one after another anyway.
  const runs: RunToContinue[] = [];
  for (let first = 0; first < count; first += 4) {
    const indexes = Array.from({ length: Math.min(4, count - first) }, (_, offset) => first + offset);
    runs.push(...(await Promise.all(indexes.map(create))));
  }
  return runs;
}

/** A paused run of the race, with the cities its approved tool calls alert (one execution each). */
export type RaceRun = RunToContinue & { shape: RunShape; cities: string[] };

/** Starts one paused run of `shape` for `city`, its every requirement approved. */
async function createPaused(store: TestStore, shape: RunShape, city: string, index: number): Promise<RaceRun> {
  const { db } = store;
  const { logFile } = store.config;
  if (shape === "parallel") {
    const paused = await startingFanOut(db, logFile, city).run(`Fan out alert ${index}`);
    const calls = paused.activeStepRequirements.flatMap((requirement) => requirement.executorRequirements);
    if (paused.activeStepRequirements.length !== 2 || calls.length !== 2)
      throw new Error(`fan-out run ${index} did not pause in both branches: ${paused.status}`);
    const decisions = calls.map((call) => ({ requirementId: call.id, decision: { type: "confirm" as const } }));
    const ids = { runId: paused.runId, sessionId: paused.sessionId };
    return { ...ids, shape, requirements: [], decisions, cities: [`${city} A`, `${city} B`] };
  }
  const starting = shape === "subAgent" ? startingCoordinator(db, logFile, city) : startingAgent(db, logFile, city);
  const paused = await starting.run(`Send alert number ${index}`);
  if (!paused.isPaused || paused.activeRequirements.length !== 1) {
    throw new Error(`run ${index} did not pause on one requirement: ${paused.status}`);
  }
  const requirements = paused.activeRequirements.map((requirement) => {
    requirement.confirm();
    return requirement.toJSON();
  });
  return { runId: paused.runId, sessionId: paused.sessionId, shape, requirements, cities: [city] };
}

/**
 * Starts paused runs of each shape (`counts`), every requirement approved: plain agent runs,
 * agent runs paused inside a sub-agent, workflow runs paused in both branches of a Parallel.
 */
export async function createRaceRuns(store: TestStore, counts: Readonly<Record<RunShape, number>>): Promise<RaceRun[]> {
  const plan = (Object.entries(counts) as Array<[RunShape, number]>).flatMap(([shape, count]) =>
    Array.from({ length: count }, () => shape),
  );
  const runs: RaceRun[] = [];
  // A few at a time: PostgreSQL round trips overlap; SQLite writes one after another anyway.
  for (let first = 0; first < plan.length; first += 4) {
    const batch = plan.slice(first, first + 4);
    runs.push(
      ...(await Promise.all(
        batch.map((shape, offset) => createPaused(store, shape, `City ${first + offset}`, first + offset)),
      )),
    );
  }
  return runs;
}

/** The seed for this test process: KERN_EXACTLY_ONCE_SEED replays a reported run. */
export function chooseSeed(): number {
  const given = process.env["KERN_EXACTLY_ONCE_SEED"];
  return given !== undefined && given !== "" ? Number(given) >>> 0 : randomBytes(4).readUInt32LE(0);
}

/** mulberry32: a tiny seeded generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled copy (Fisher–Yates) driven by `random`. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

/** Resolves with `promise`, or rejects when it takes longer than `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
