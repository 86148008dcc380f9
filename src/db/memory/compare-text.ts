/**
 * Compares as SQLite does (UTF-8 bytes, i.e. code points). JavaScript's `<` compares UTF-16
 * code units, which orders characters above U+FFFF differently and would break pagination
 * parity between stores.
 */
export function compareText(left: string, right: string): number {
  if (left === right) return 0;
  return Buffer.compare(Buffer.from(left, "utf8"), Buffer.from(right, "utf8"));
}
