// Preloaded (`node --require`) by the telemetry part's `no-api` variant: it stands for an
// application that does not have `@opentelemetry/api` installed. The package is installed here
// (a devDependency of the repo root), so this makes its resolution fail as a missing package
// does, before kern loads. kern loads the API with createRequire, which resolves through
// Module._resolveFilename; each refusal is counted so the worker can check kern asked for it.
const Module = require("node:module");

const NAME = "@opentelemetry/api";
const REFUSALS = Symbol.for("kern-bench.otel-api-refusals");
const resolveFilename = Module._resolveFilename;

globalThis[REFUSALS] = 0;
Module._resolveFilename = function resolveWithoutOtelApi(request, ...rest) {
  if (request === NAME || request.startsWith(`${NAME}/`)) {
    globalThis[REFUSALS] += 1;
    const error = new Error(`Cannot find module '${request}' (hidden by bench/workers/without-otel-api.cjs)`);
    error.code = "MODULE_NOT_FOUND";
    throw error;
  }
  return resolveFilename.call(this, request, ...rest);
};
