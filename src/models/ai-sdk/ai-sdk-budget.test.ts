import { describe } from "node:test";
import { itBoundsEveryCall } from "../call-budget.test-helper.js";
import { freshFakeEachTest } from "../fake-http-server.test-helper.js";
import { WIRES } from "./ai-sdk-wires.test-helper.js";

for (const wire of WIRES) {
  describe(`AiSdkModel time budget over ${wire.title}`, () => {
    const fake = freshFakeEachTest(wire.start);
    itBoundsEveryCall({ provider: wire.provider, fake, model: (settings) => wire.model(fake(), settings) });
  });
}
