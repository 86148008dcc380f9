import { runDbConformance } from "../conformance.test-helper.js";
import { InMemoryDb } from "./index.js";

runDbConformance("InMemoryDb", async () => ({ db: new InMemoryDb(), cleanup: async () => {} }));
