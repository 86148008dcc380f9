/** Collects the filter clauses that apply, with their parameters in order. */
export class Where {
  readonly #clauses: string[] = [];
  readonly params: unknown[] = [];

  add(clause: string, ...values: unknown[]): void {
    if (values.every((value) => value === undefined)) return;
    this.#clauses.push(clause);
    this.params.push(...values);
  }

  sql(): string {
    return this.#clauses.length === 0 ? "" : ` WHERE ${this.#clauses.join(" AND ")}`;
  }
}
