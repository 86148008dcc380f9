import { DefinitionChangedError } from "../errors.js";

/** A definition (agent or workflow) that can say what it is and which earlier versions it keeps serving. */
export interface Versioned<T> {
  readonly fingerprint: string;
  readonly previousVersions: readonly T[];
}

/** What the caller of a continue allows. */
export interface DefinitionChoice {
  /** Continue a run paused under another definition with this one (after the safety check). */
  allowDefinitionChange?: boolean | undefined;
}

/**
 * Picks the definition that serves a stored run: the live one when the run's fingerprint is its
 * own (or unknown: runs stored before fingerprints), a registered previous version whose
 * fingerprint matches, or, when the caller allowed a changed definition, the live one once
 * `incompatible` finds nothing an approval could be misapplied to. Otherwise throws
 * DefinitionChangedError; nothing has changed at that point.
 */
export function servingDefinition<T extends Versioned<T>>(
  live: T,
  run: { runId: string; fingerprint: string | null },
  what: string,
  choice: DefinitionChoice,
  incompatible: () => string | null,
): T {
  const stored = run.fingerprint;
  if (stored === null || stored === live.fingerprint) return live;
  const previous = live.previousVersions.find((version) => version.fingerprint === stored);
  if (previous !== undefined) return previous;
  const base = `Run '${run.runId}' was paused under another definition of ${what} (fingerprint ${stored}; this one is ${live.fingerprint}): its steps, their order or gates, or its agents' tools or their parameters changed.`;
  if (choice.allowDefinitionChange !== true) {
    throw new DefinitionChangedError(
      run.runId,
      stored,
      live.fingerprint,
      `${base} Nothing was changed. Register the definition that started it with previousVersions: [oldDefinition] to keep serving its runs, or pass { allowDefinitionChange: true } to continue it with this one.`,
    );
  }
  const problem = incompatible();
  if (problem !== null) {
    throw new DefinitionChangedError(
      run.runId,
      stored,
      live.fingerprint,
      `${base} It cannot continue with this one even with allowDefinitionChange, because ${problem}: an approval is never applied to a step or tool it was not given for. Nothing was changed; register the old definition with previousVersions to finish it.`,
    );
  }
  return live;
}
