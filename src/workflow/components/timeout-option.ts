import { ConfigurationError } from "../../errors.js";
import { checkGateTimeout, type GateTimeout, type OnTimeout, type TimeoutRule } from "../../runs/index.js";

/** What happens to a component's gates when nobody decides them in time. */
export interface GateTimeoutOptions {
  /**
   * After `after` seconds without a decision, `then`: "approve" (confirm or keep the output;
   * a user input or route selection is skipped instead), "reject" (as if rejected: follows
   * `onReject`), "skip", "cancel", or `{ escalateTo, timeout? }` to hand the gate to other
   * approvers. Applies to each of the component's gates. Needs a gate.
   */
  timeout?: GateTimeout;
}

/** The option names of {@link GateTimeoutOptions}, for each gated component's list of supported options. */
export const GATE_TIMEOUT_OPTIONS = ["timeout"] as const;

/**
 * A component's timeout, normalized: its `timeout` option, or a Step's older `hitlTimeout`
 * (seconds) with `onTimeout` (default "cancel"); not both.
 */
export function componentTimeout(
  label: string,
  options: GateTimeoutOptions & { hitlTimeout?: number },
  onTimeout: OnTimeout | null,
  hasGate: boolean,
): TimeoutRule | null {
  if (options.timeout !== undefined && options.hitlTimeout !== undefined)
    throw new ConfigurationError(
      `${label} sets both timeout and hitlTimeout; use timeout: { after: seconds, then } alone.`,
    );
  if (options.hitlTimeout !== undefined)
    return { after: options.hitlTimeout, then: onTimeout ?? "cancel", remindEvery: null };
  return checkGateTimeout(label, options.timeout, { hasGate });
}
