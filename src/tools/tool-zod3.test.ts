import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z as z3 } from "zod/v3";
import { ConfigurationError } from "../errors.js";
import { tool } from "./tool.js";

describe("tool() given a zod 3 schema", () => {
  it("says kern needs zod 4 and how to install it, instead of asking for the z.object it was given", () => {
    // A user with zod 3 installed passes its schema; the type is zod 3's, so only a cast gets it past tsc.
    const parameters: unknown = z3.object({ city: z3.string() });
    const definition = { name: "send_alert", parameters, execute: () => "sent" } as unknown as Parameters<
      typeof tool
    >[0];
    assert.throws(
      () => tool(definition),
      (error: unknown) => {
        assert.ok(error instanceof ConfigurationError);
        assert.equal(
          error.message,
          `Tool 'send_alert' was given a zod 3 schema as parameters; kern needs zod 4: npm install zod@4, and import { z } from "zod" (not "zod/v3").`,
        );
        return true;
      },
    );
  });

  it("still asks for a z.object when given something that is not a zod schema at all", () => {
    const definition = { name: "t", parameters: { city: "string" }, execute: () => "" } as unknown as Parameters<
      typeof tool
    >[0];
    assert.throws(() => tool(definition), {
      message: "Tool 't' needs parameters: z.object({...}) (use z.object({}) for none).",
    });
  });
});
