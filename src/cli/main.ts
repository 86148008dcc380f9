// The `kern` executable's entry point (bin/kern.mjs and `npm run demo` start it). It is never
// imported by the library, so the CLI's dependencies do not slow `import "kern"`.
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv);
