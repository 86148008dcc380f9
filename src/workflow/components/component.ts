import type { Condition } from "./condition.js";
import type { Loop } from "./loop.js";
import type { Parallel } from "./parallel.js";
import type { Router } from "./router.js";
import type { Step } from "./step.js";
import type { Steps } from "./steps.js";

/** Anything a workflow can run, discriminated by `stepType`. */
export type Component = Step | Steps | Condition | Router | Loop | Parallel;
