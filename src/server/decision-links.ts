import { ConfigurationError } from "../errors.js";
import { requirePeers } from "../optional-peers.js";
import { newId, type Principal } from "../runs/index.js";
import { RequestError } from "./http-errors.js";

type Jose = typeof import("jose");

/** Decision links sign with this secret (HS256); give `createServer({ decisionLinks: { secret } })` the same one. */
export interface DecisionLinkOptions {
  /** At least 32 bytes, random, kept apart from any JWT secret. */
  secret: string;
}

/** What a decision link is bound to: one requirement, what it showed, who may use it, until when. */
export interface DecisionLinkClaims {
  kind: "workflow" | "agent";
  /** The workflow or agent id. */
  ownerId: string;
  runId: string;
  sessionId: string;
  requirementId: string;
  /** `shownDigest` of the requirement when the link was issued. */
  shownDigest: string;
  /** The principal the link decides as. */
  approver: Principal;
}

export interface IssuedLink {
  token: string;
  /** The link's id, stored as `linkId` on the decision it makes. */
  linkId: string;
  /** ISO 8601. */
  expiresAt: string;
}

const AUDIENCE = "kern:decision-link";
const ISSUER = "kern";
/** The longest a link may live: 30 days. */
export const MAX_LINK_SECONDS = 30 * 24 * 3600;

/** Checks `decisionLinks` when the server is created: ConfigurationError for a short secret, or jose missing. */
export function checkLinkSecret(options: DecisionLinkOptions): void {
  keyOf(options);
  requirePeers("kern/server decision links", ["jose"]);
}

function keyOf(options: DecisionLinkOptions): Uint8Array {
  if (typeof options.secret !== "string" || Buffer.byteLength(options.secret, "utf8") < 32)
    throw new ConfigurationError(
      "decisionLinks.secret must be a random secret of 32 bytes or more; links signed with a short one could be forged.",
    );
  return new TextEncoder().encode(options.secret);
}

async function jose(): Promise<Jose> {
  requirePeers("kern/server decision links", ["jose"]);
  return import("jose");
}

/**
 * Signs a one-time decision link (a JWS, via `jose`): it lets `approver` decide exactly one
 * requirement, and only while it still shows what it showed when the link was issued.
 *
 * @example
 * const { token } = await issueDecisionLink({ secret }, { ...claims, approver: { id: "fred", roles: ["finance"] } }, 3600);
 * // POST {server}/api/decisions/{token}  { "decision": { "type": "confirm" } }
 */
export async function issueDecisionLink(
  options: DecisionLinkOptions,
  claims: DecisionLinkClaims,
  expiresInSeconds = 24 * 3600,
): Promise<IssuedLink> {
  const key = keyOf(options);
  if (!Number.isSafeInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_LINK_SECONDS)
    throw new ConfigurationError(
      `A decision link lives 1 to ${MAX_LINK_SECONDS} seconds (30 days); got ${String(expiresInSeconds)}.`,
    );
  const { SignJWT } = await jose();
  const linkId = newId();
  const expiresAt = Math.floor(Date.now() / 1000) + expiresInSeconds;
  const { approver, ...bound } = claims;
  const token = await new SignJWT({
    ...bound,
    roles: [...(approver.roles ?? [])],
    ...(approver.name === undefined ? {} : { name: approver.name }),
  })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(approver.id)
    .setJti(linkId)
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(key);
  return { token, linkId, expiresAt: new Date(expiresAt * 1000).toISOString() };
}

function text(payload: Record<string, unknown>, name: string): string {
  const value = payload[name];
  if (typeof value !== "string" || value === "") throw invalidLink();
  return value;
}

function invalidLink(): RequestError {
  return new RequestError(
    401,
    "KERN_LINK_INVALID",
    "This decision link is not one this server signed, or it was changed; ask for a new link.",
  );
}

/**
 * Checks a link's signature and expiry and returns what it is bound to: 401 (KERN_LINK_INVALID)
 * for a forged or altered token, 410 (KERN_LINK_EXPIRED) for an expired one.
 */
export async function readDecisionLink(
  options: DecisionLinkOptions,
  token: string,
): Promise<DecisionLinkClaims & { linkId: string }> {
  const { jwtVerify, errors } = await jose();
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keyOf(options), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["HS256"],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      throw new RequestError(410, "KERN_LINK_EXPIRED", "This decision link has expired; ask for a new one.");
    throw invalidLink();
  }
  const kind = payload["kind"];
  const roles = payload["roles"];
  if ((kind !== "workflow" && kind !== "agent") || !Array.isArray(roles)) throw invalidLink();
  const name = payload["name"];
  return {
    kind,
    ownerId: text(payload, "ownerId"),
    runId: text(payload, "runId"),
    sessionId: text(payload, "sessionId"),
    requirementId: text(payload, "requirementId"),
    shownDigest: text(payload, "shownDigest"),
    linkId: text(payload, "jti"),
    approver: {
      id: text(payload, "sub"),
      roles: roles.filter((role): role is string => typeof role === "string"),
      ...(typeof name === "string" ? { name } : {}),
    },
  };
}
