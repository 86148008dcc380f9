import type { Principal } from "../../runs/index.js";

/**
 * A claim by name; a name that is not a claim of its own is read as a dotted path
 * ("realm_access.roles"). Names that are URLs (Auth0's "https://example.com/roles") contain dots
 * too, which is why the whole name is tried first.
 */
function claim(payload: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  let current: unknown = payload;
  for (const key of name.split(".")) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * The principal a verified token names: `sub` is the id, the roles claim (an array; its strings
 * are kept) the roles, the name claim the name. Null when the token has no `sub`: without an id
 * the server cannot record who decided.
 */
export function principalFromClaims(
  payload: Readonly<Record<string, unknown>>,
  rolesClaim: string,
  nameClaim: string,
): Principal | null {
  const id = payload["sub"];
  if (typeof id !== "string" || id === "") return null;
  const roles = claim(payload, rolesClaim);
  const name = claim(payload, nameClaim);
  return {
    id,
    roles: Array.isArray(roles) ? roles.filter((role): role is string => typeof role === "string") : [],
    ...(typeof name === "string" && name !== "" ? { name } : {}),
  };
}
