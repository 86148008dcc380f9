/** Sign-in and request guards of kern/server (the server's front door re-exports the public part). */
export { hashApiKey } from "./api-keys.js";
export type {
  ApiKey,
  ApiKeyAuth,
  AuthFunction,
  JwtAuth,
  JwtOptions,
  SecurityOptions,
  ServerAuth,
  ServerEnv,
} from "./auth-options.js";
export { isAdmin, principalOf } from "./principal-of.js";
export { type Protection, protection } from "./protect.js";
