/**
 * `kern/server`: the HTTP API and approval inbox. Hono and @hono/node-server are loaded only by
 * this subpath; install them next to kern to use it (and `jose` too for JWT sign-in).
 */
export type { Principal } from "../runs/index.js";
export {
  type ApiKey,
  type ApiKeyAuth,
  type AuthFunction,
  hashApiKey,
  isAdmin,
  type JwtAuth,
  type JwtOptions,
  principalOf,
  type SecurityOptions,
  type ServerAuth,
  type ServerEnv,
} from "./auth/index.js";
export { createServer, type KernServer, type ServerOptions, type StartOptions } from "./create-server.js";
export {
  type DecisionLinkClaims,
  type DecisionLinkOptions,
  type IssuedLink,
  issueDecisionLink,
} from "./decision-links.js";
export type { ErrorBody } from "./http-errors.js";
export type { StartedServer } from "./listen.js";
export type { StartupRecovery } from "./recovery.js";
export type { ServerWebhook, WebhookDelivery } from "./webhooks.js";
