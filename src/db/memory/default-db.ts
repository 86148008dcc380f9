import { InMemoryDb } from "./in-memory-db.js";

let shared: InMemoryDb | undefined;

/**
 * The store used by agents and workflows created without a `db`: one per process, so pauses can
 * be continued by any object in this process, but not by another process.
 */
export function defaultMemoryDb(): InMemoryDb {
  shared ??= new InMemoryDb();
  return shared;
}
