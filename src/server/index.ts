/**
 * `kern/server`: the HTTP API and approval inbox. Hono and @hono/node-server are loaded only by
 * this subpath; install them next to kern to use it.
 */
export { createServer, type KernServer, type ServerOptions, type StartOptions } from "./create-server.js";
export type { ErrorBody } from "./http-errors.js";
export type { StartedServer } from "./listen.js";
export type { StartupRecovery } from "./recovery.js";
