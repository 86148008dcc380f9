import type { Context } from "hono";
import type { Principal } from "../../runs/index.js";

/** True for a value shaped like a Principal: an object with a non-empty string `id`. */
export function isPrincipal(value: unknown): value is Principal {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { id?: unknown }).id === "string" &&
    (value as { id: string }).id !== ""
  );
}

/**
 * Who sent the request: the principal `auth` signed in, or null when the server runs without
 * `auth` (the library then records "code" as the actor). With `auth`, every `/api` route runs
 * only after sign-in, so there it is never null.
 *
 * @example
 * app.post("/:runId/continue", async (c) => {
 *   const actor = principalOf(c) ?? undefined;
 *   return c.json(await workflow.continueRun(ref, { actor }));
 * });
 */
export function principalOf(c: Context): Principal | null {
  const principal: unknown = c.get("principal");
  return isPrincipal(principal) ? principal : null;
}

/** True when the request's principal has `createServer({ adminRole })`; false without one. */
export function isAdmin(c: Context): boolean {
  const adminRole: unknown = c.get("adminRole");
  return typeof adminRole === "string" && (principalOf(c)?.roles?.includes(adminRole) ?? false);
}
