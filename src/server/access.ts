import type { Context } from "hono";
import { RunNotFoundError } from "../errors.js";
import type { Principal } from "../runs/index.js";
import { isAdmin, principalOf } from "./auth/index.js";
import { RequestError } from "./http-errors.js";

/**
 * Who is asking, as the routes see it. Without `auth` on the server there is no principal: every
 * run is visible, and decisions are recorded as made by code. With it, a run is visible to the
 * principal who started it, to principals who may decide one of its gates, and to the admin role.
 */
export interface Viewer {
  principal: Principal | null;
  admin: boolean;
}

export function viewerOf(c: Context): Viewer {
  return { principal: principalOf(c), admin: isAdmin(c) };
}

/** The actor a continue passes to the library: the signed-in principal, never one the client names. */
export function actorOf(viewer: Viewer): { actor?: Principal } {
  return viewer.principal === null ? {} : { actor: viewer.principal };
}

/**
 * The `userId` a run is started as: the signed-in principal's id. A client may name another
 * user only as the admin role; without auth, whatever the client sent.
 */
export function starterOf(viewer: Viewer, requested: string | undefined): { userId?: string } {
  if (viewer.principal === null) return requested === undefined ? {} : { userId: requested };
  if (requested !== undefined && requested !== viewer.principal.id && !viewer.admin) {
    throw new RequestError(
      403,
      "KERN_FORBIDDEN",
      `A run is started as the signed-in principal ('${viewer.principal.id}'); only the admin role may start one for another userId. Leave userId out.`,
    );
  }
  return { userId: requested ?? viewer.principal.id };
}

/** The `userId` filter a run listing gets: none for the admin role (or without auth), else the principal's own runs. */
export function listedUser(viewer: Viewer): { userId?: string } {
  return viewer.principal === null || viewer.admin ? {} : { userId: viewer.principal.id };
}

/** True when the viewer may see a run: no auth, the admin role, its starter, or one who may decide it. */
export function canSee(
  viewer: Viewer,
  run: { userId?: string | undefined },
  mayDecide: (principal: Principal) => boolean,
): boolean {
  const { principal } = viewer;
  return principal === null || viewer.admin || run.userId === principal.id || mayDecide(principal);
}

/**
 * Throws the same 404 an unknown run gets when the viewer may not see the run, so a principal
 * learns nothing about runs that are not theirs.
 */
export function assertVisible(
  viewer: Viewer,
  run: { runId: string; sessionId: string; userId?: string | undefined },
  mayDecide: (principal: Principal) => boolean,
): void {
  if (!canSee(viewer, run, mayDecide)) throw new RunNotFoundError(run.runId, run.sessionId);
}

/** Whether the viewer may decide a run's gates (true without auth). */
export function decidable(viewer: Viewer, mayDecide: (principal: Principal) => boolean): boolean {
  return viewer.principal === null || mayDecide(viewer.principal);
}
