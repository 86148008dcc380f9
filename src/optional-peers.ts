import { createRequire } from "node:module";
import { ConfigurationError } from "./errors.js";

/**
 * Checks that the optional peer packages a feature loads are installed, before anything imports
 * them: a missing one would otherwise surface as Node's bare ERR_MODULE_NOT_FOUND. kern's adapters
 * import their SDK or driver statically, and a static import fails while the module graph links,
 * before any of kern's code runs; so the built subpath entries (written by scripts/bundle.mjs)
 * call this first and load their bundle afterwards, and the CLI calls it before loading a command
 * that opens SQLite. Within the library, only kern/server imports it: `jose` is loaded lazily for
 * JWT sign-in, so createServer() checks for it when JWT auth is configured.
 *
 * Packages resolve from kern's own location, as the bundles' imports do.
 *
 * @example
 * requirePeers("kern/db/sqlite", ["better-sqlite3"]);
 * // ConfigurationError: kern/db/sqlite needs better-sqlite3, which is not installed: npm install better-sqlite3@12
 */
export function requirePeers(feature: string, names: readonly string[]): void {
  const missing = names.filter((name) => !isInstalled(name));
  if (missing.length === 0) return;
  const which =
    missing.length === 1
      ? `${missing[0]}, which is`
      : `${missing.slice(0, -1).join(", ")} and ${missing.at(-1)}, which are`;
  throw new ConfigurationError(
    `${feature} needs ${which} not installed: npm install ${missing.map(installSpec).join(" ")}`,
  );
}

function isInstalled(name: string): boolean {
  try {
    import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * `name@<major>` from the range in kern's peerDependencies ("^12.0.0" → "better-sqlite3@12"), so
 * the command installs a version kern supports rather than the newest, which may need a newer
 * Node. kern's package.json is read only here, on the way to an error.
 */
function installSpec(name: string): string {
  const range = peerRanges()[name];
  const major = range === undefined ? undefined : /\d+/.exec(range)?.[0];
  return major === undefined ? name : `${name}@${major}`;
}

function peerRanges(): Record<string, string> {
  try {
    const manifest: unknown = createRequire(import.meta.url)("kern/package.json");
    const peers =
      typeof manifest === "object" && manifest !== null
        ? (manifest as { peerDependencies?: unknown }).peerDependencies
        : undefined;
    if (typeof peers !== "object" || peers === null) return {};
    return Object.fromEntries(
      Object.entries(peers).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
  } catch {
    return {};
  }
}
