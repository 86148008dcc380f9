import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError } from "./usage-error.js";

const TYPESCRIPT = /\.[cm]?ts$/;

/**
 * Failures that happen while Node loads a module graph, before any of its code runs, when it
 * meets TypeScript it cannot read: trying again through tsx repeats no side effect.
 * ERR_MODULE_NOT_FOUND covers Node's own type stripping, which does not map `./helper.js` to
 * `helper.ts` as TypeScript projects write their imports.
 */
const TYPESCRIPT_LOAD_FAILURES = new Set([
  "ERR_UNKNOWN_FILE_EXTENSION",
  "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX",
  "ERR_MODULE_NOT_FOUND",
]);

function errorCode(error: unknown): string | undefined {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** tsx's ESM API when it is installed next to kern (as a devDependency of the project), else null. */
async function loadTsx(): Promise<typeof import("tsx/esm/api") | null> {
  try {
    return await import("tsx/esm/api");
  } catch (error) {
    if (errorCode(error) === "ERR_MODULE_NOT_FOUND") return null;
    throw error;
  }
}

/**
 * A TypeScript module. Node imports it as it is where it can: Node 22.18+ and 24 strip types
 * themselves, and a process already running under tsx (this repository's `kern`) reads it too.
 * Otherwise (Node 20, or TypeScript that stripping cannot handle, such as an enum) tsx loads it,
 * when the project has it; without tsx the message says what to install.
 */
async function importTypeScript(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href;
  try {
    return await import(url);
  } catch (error) {
    if (!TYPESCRIPT_LOAD_FAILURES.has(errorCode(error) ?? "")) throw error;
    const tsx = await loadTsx();
    if (tsx === null) {
      if (errorCode(error) === "ERR_MODULE_NOT_FOUND") throw error;
      throw new UsageError(
        `${file} is TypeScript, which Node.js ${process.version} cannot import by itself. Install tsx in your project ` +
          `(npm install -D tsx) and kern loads the module through it; or pass the compiled .js module.`,
      );
    }
    // Registering twice would stack two tsx loaders, so tsx is registered only once it is needed.
    tsx.register();
    // A fresh URL: the failed attempt may stay in Node's module cache under the plain one.
    return import(`${url}?kern-tsx`);
  }
}

/** Imports a user's module (`--module <path>`), JavaScript or TypeScript, and returns its exports. */
export async function importUserModule(path: string): Promise<Record<string, unknown>> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError(`No module at ${file}.`, 1);
  const module: unknown = TYPESCRIPT.test(file) ? await importTypeScript(file) : await import(pathToFileURL(file).href);
  if (typeof module !== "object" || module === null) throw new UsageError(`${file} is not a module.`, 1);
  return module as Record<string, unknown>;
}
