import { createRequire } from "node:module";
import { ConfigurationError } from "../errors.js";

/**
 * Returns a function that loads a module on its first call and hands back the same exports
 * afterwards, synchronously. kern keeps zod (about 100 ms to load) off the path of
 * `import "kern"` this way: the zod schemas live in leaf modules that load only when a run is
 * decoded or an input is validated, and some of those callers are synchronous
 * (`RunOutput.fromJSON`), which rules out `import()`.
 *
 * Node 20.19+ can `require()` an ES module and shares the instance with `import`. Under tsx (how
 * the tests run) a required module is a second instance, so a module loaded this way must be a
 * leaf: zod, constants and types only, never a class whose identity matters (errors, views).
 *
 * The built package is bundled (scripts/bundle.mjs): each leaf becomes a file of its own, needing
 * nothing but zod, in the one flat directory that holds every bundled file, so `specifier`
 * resolves from whichever file the caller was bundled into. That is why `specifier` must be
 * `./<name>.js`, a file beside the caller whose name no other file under src/ has
 * (lazy-module.test.ts checks both).
 *
 * @example
 * const schemas = lazyModule<typeof Schemas>(import.meta.url, "./agent-continue-input-schema.js");
 * schemas().refSchema.safeParse(input);
 */
export function lazyModule<T>(parentUrl: string, specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load(parentUrl, specifier) as T);
}

function load(parentUrl: string, specifier: string): unknown {
  try {
    return createRequire(parentUrl)(specifier);
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== "ERR_REQUIRE_ESM") throw error;
    throw new ConfigurationError(
      `kern needs Node.js 20.19 or later (this is ${process.version}): it loads '${specifier}' ` +
        `with require(), which older versions refuse for ES modules. Upgrade Node.js.`,
    );
  }
}
