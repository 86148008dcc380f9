import { Hono } from "hono";
import { z } from "zod";
import type { Db, PendingFilter, PendingRequirementRow } from "../db/index.js";
import { viewerOf } from "./access.js";
import type { ServerEnv } from "./auth/index.js";
import { badRequest } from "./http-errors.js";
import type { RowAccessFor } from "./inbox-access.js";
import { defined, readQuery, schemas } from "./request.js";

type RowKey = NonNullable<PendingFilter["after"]>;

const keySchema = z.object({
  createdAt: z.number(),
  runId: z.string(),
  requirementId: z.string(),
  kind: z.enum(["agent", "workflow"]).optional(),
});

function keyOf(row: z.infer<typeof keySchema>): RowKey {
  return {
    createdAt: row.createdAt,
    runId: row.runId,
    requirementId: row.requirementId,
    ...(row.kind === undefined ? {} : { kind: row.kind }),
  };
}

/** The keyset cursor of a row, as an opaque URL-safe token. */
export function encodeCursor(row: RowKey): string {
  return Buffer.from(JSON.stringify(keyOf(row))).toString("base64url");
}

function decodeCursor(token: string): RowKey {
  try {
    return keyOf(keySchema.parse(JSON.parse(Buffer.from(token, "base64url").toString("utf8"))));
  } catch {
    throw badRequest(
      "GET /api/inbox: `after` is not a cursor this server issued; pass the `nextAfter` of the previous page.",
    );
  }
}

/**
 * `GET /api/inbox`: the pending requirements of the runs this server can continue (rows of
 * agents and workflows it does not serve, e.g. the agent runs inside a workflow's steps, are
 * left out), oldest first, `limit` per page, with `nextAfter` to pass as `after` for the next
 * page (null on the last one). With auth, only the rows the principal may see are listed (see
 * inboxAccess), each with `mayDecide`; `?decidable=1` lists only the ones it may decide.
 */
export function inboxRoutes(
  db: Db,
  isServed: (row: PendingRequirementRow) => boolean,
  accessFor: RowAccessFor,
): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.get("/", async (c) => {
    const { after, limit = 50, decidable, ...filter } = readQuery(c, schemas.inboxQuery, "GET /api/inbox");
    const access = accessFor(viewerOf(c));
    let cursor = after === undefined ? undefined : decodeCursor(after);
    const requirements: Array<PendingRequirementRow & { mayDecide: boolean }> = [];
    for (let exhausted = false; requirements.length < limit && !exhausted; ) {
      const page = await db.listPendingRequirements({
        ...defined(filter),
        limit,
        ...(cursor === undefined ? {} : { after: cursor }),
      });
      exhausted = page.length < limit;
      for (const row of page) {
        cursor = row;
        if (!isServed(row)) continue;
        const { visible, mayDecide } = await access(row);
        if (visible && (mayDecide || decidable !== "1")) requirements.push({ ...row, mayDecide });
        if (requirements.length === limit) break;
      }
    }
    const nextAfter = requirements.length === limit && cursor !== undefined ? encodeCursor(cursor) : null;
    return c.json({ requirements, nextAfter });
  });
  return app;
}
