/**
 * A short, stable digest of a definition's structure (see agent/definition.ts and
 * workflow/definition.ts): SHA-256 of its canonical JSON (keys sorted), first 32 hex digits.
 * `node:crypto` loads on first use, not with `import "kern"`.
 */
export function fingerprintOf(definition: unknown): string {
  const crypto = process.getBuiltinModule("node:crypto");
  return crypto.hash("sha256", canonicalJson(definition), "hex").slice(0, 32);
}

/** JSON with object keys in sorted order, so equal structures give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const entry = (value as Record<string, unknown>)[key];
    if (entry !== undefined) sorted[key] = sortKeys(entry);
  }
  return sorted;
}
