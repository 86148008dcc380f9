// What the pack-and-install test needs: a fresh build of kern when the sources changed, `npm pack`,
// a new app in a temporary directory, and offline installs into it.
//
// Nothing is downloaded or compiled: kern's own dependencies and its peers are installed from this
// repository's node_modules as directory links (`npm install <dir>` links a directory without
// copying it), so better-sqlite3 is the binary `npm ci` already compiled. `--ignore-scripts`
// matters: npm would otherwise run the linked packages' install scripts, compiling better-sqlite3
// again (a minute or more) inside this repository's node_modules.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const root = fileURLToPath(new URL("../..", import.meta.url));

/** What a child process left behind. */
export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (stdin at EOF), never throwing for a non-zero exit. */
export function run(
  file: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

/** The newest modification time (ms) of the files under `path` that `keep` accepts. */
function newest(path: string, keep: (file: string) => boolean): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return keep(path) ? stat.mtimeMs : 0;
  return Math.max(0, ...readdirSync(path).map((entry) => newest(join(path, entry), keep)));
}

/** What `npm run build` reads. */
const BUILD_INPUTS = [
  "src",
  "examples/workflows/human-in-the-loop/nested",
  "scripts/bundle.mjs",
  "scripts/bundle-demo.mjs",
  "scripts/bundle-forwarders.mjs",
  "package.json",
  "tsconfig.json",
  "tsconfig.build.json",
];

/** True when dist/ is missing or older than anything the build reads (tests aside). */
function distIsStale(): boolean {
  const built = ["dist/esm/cli.js", "dist/index.js"].map((file) => join(root, file));
  if (!built.every((file) => existsSync(file))) return true;
  const builtAt = Math.min(...built.map((file) => statSync(file).mtimeMs));
  const read = (file: string): boolean => !/\.test(-helper)?\.ts$/.test(file);
  return BUILD_INPUTS.some((input) => newest(join(root, input), read) > builtAt);
}

/**
 * Runs `body` while holding a lock shared by every process testing this checkout, so two test
 * runs at once never rebuild dist/ under each other's `npm pack`. A lock whose holder died is taken over.
 */
async function withBuildLock<T>(body: () => Promise<T>): Promise<T> {
  const lock = join(tmpdir(), `kern-pack-lock-${createHash("sha256").update(root).digest("hex").slice(0, 16)}`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const holder = Number(readdirSync(lock)[0] ?? Number.NaN);
      if (Number.isInteger(holder) && !isAlive(holder)) rmSync(lock, { recursive: true, force: true });
      else await sleep(250);
    }
  }
  writeFileSync(join(lock, String(process.pid)), "");
  try {
    return await body();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One `npm pack` of the built package: the tarball and the files it holds. */
export interface Packed {
  tarball: string;
  files: string[];
  /** Whether dist/ had to be built first. */
  built: boolean;
}

/** Builds kern if dist/ is missing or stale (`npm run build`), then packs it into `directory`. */
export async function buildAndPack(directory: string): Promise<Packed> {
  return withBuildLock(async () => {
    const built = distIsStale();
    if (built) {
      const build = await run("npm", ["run", "build"], { cwd: root, timeoutMs: 240_000 });
      if (build.code !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
    }
    const pack = await run("npm", ["pack", "--json", "--pack-destination", directory], { cwd: root });
    if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
    const [result] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    if (result === undefined) throw new Error(`npm pack printed no result:\n${pack.stdout}`);
    return { tarball: join(directory, result.filename), files: result.files.map((file) => file.path), built };
  });
}

/** A new, empty ES module app in `directory`. */
export function createApp(directory: string): string {
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, "package.json"),
    `${JSON.stringify({ name: "fresh-app", private: true, type: "module" }, null, 2)}\n`,
  );
  return directory;
}

/**
 * `npm install` into the app, offline: a tarball path as it is, a package name as a link to this
 * repository's installed copy. Throws with npm's output when it fails.
 */
export async function install(app: string, packages: readonly string[]): Promise<void> {
  const specs = packages.map((name) => (name.endsWith(".tgz") ? name : join(root, "node_modules", name)));
  const result = await run(
    "npm",
    ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", ...specs],
    { cwd: app },
  );
  if (result.code !== 0)
    throw new Error(`npm install ${packages.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
}
