/**
 * One schema change of a SQL store. The list is append-only: a released migration is never
 * edited or reordered, only followed by a new one with the next version. Kept as plain data so
 * every SQL store applies its own list the same way: `kern_migrations` records each applied
 * version, and a store refuses a database whose version is newer than its list.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
