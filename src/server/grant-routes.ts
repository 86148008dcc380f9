import { Hono } from "hono";
import { z } from "zod";
import type { Db, GrantFilter } from "../db/index.js";
import { viewerOf } from "./access.js";
import type { ServerEnv } from "./auth/index.js";
import { RequestError, unknownResource } from "./http-errors.js";
import { defined, readQuery, schemas } from "./request.js";

const afterSchema = z.object({ createdAt: z.number(), id: z.string() });

function cursorOf(token: string): GrantFilter["after"] {
  try {
    return afterSchema.parse(JSON.parse(Buffer.from(token, "base64url").toString("utf8")));
  } catch {
    throw new RequestError(
      400,
      "KERN_BAD_REQUEST",
      "GET /api/grants: `after` is not a cursor this server issued; pass the `nextAfter` of the previous page.",
    );
  }
}

/**
 * Grants ("always allow this tool") over HTTP:
 * - `GET /api/grants`: grants oldest first (keyset paged with `nextAfter`). With auth, the admin
 *   role sees every grant, other principals the grants they made.
 * - `POST /api/grants/:id/revoke`: revokes a grant (its maker's, or any for the admin role); later
 *   calls of its tool pause for a person again.
 */
export function grantRoutes(db: Db, now: () => number = Date.now): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();

  app.get("/", async (c) => {
    const { after, agentId, active, ...query } = readQuery(c, schemas.grantsQuery, "GET /api/grants");
    const viewer = viewerOf(c);
    const cursor = after === undefined ? undefined : cursorOf(after);
    const filter: GrantFilter = {
      ...defined({ ...query, ownerId: agentId, activeAt: active === "1" ? now() : undefined }),
      ...(cursor === undefined ? {} : { after: cursor }),
    };
    if (viewer.principal !== null && !viewer.admin) filter.createdBy = viewer.principal.id;
    const grants = await db.listGrants(filter);
    const last = grants.at(-1);
    const nextAfter =
      grants.length === (filter.limit ?? 100) && last !== undefined
        ? Buffer.from(JSON.stringify({ createdAt: last.createdAt, id: last.id })).toString("base64url")
        : null;
    return c.json({ grants: grants.map((grant) => ({ ...grant, argsMatch: parseMatch(grant.argsMatch) })), nextAfter });
  });

  app.post("/:id/revoke", async (c) => {
    const id = c.req.param("id");
    const viewer = viewerOf(c);
    const grant = await db.getGrant(id);
    // A grant the principal may not see is reported as missing, not as forbidden.
    if (grant === null || (viewer.principal !== null && !viewer.admin && grant.createdBy !== viewer.principal.id))
      throw unknownResource(`There is no grant '${id}' you may see.`);
    // Revoking a revoked grant changes nothing and answers the same: it keeps its first revokedAt.
    await db.revokeGrant(id, now());
    const revoked = await db.getGrant(id);
    return c.json({ grant: revoked === null ? null : { ...revoked, argsMatch: parseMatch(revoked.argsMatch) } });
  });

  return app;
}

function parseMatch(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}
