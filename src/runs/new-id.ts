/**
 * A new random UUID for a run or requirement. It uses the global Web Crypto object rather than
 * `node:crypto`, whose import pulls Node's stream internals onto the path of `import "kern"`
 * (about 5 ms of a 150 ms budget).
 */
export function newId(): string {
  return globalThis.crypto.randomUUID();
}
