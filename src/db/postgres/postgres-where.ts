/** Collects the filter clauses that apply, numbering their parameters $1, $2, … in order. */
export class Where {
  readonly #clauses: string[] = [];
  readonly params: unknown[] = [];

  add(clause: string, ...values: unknown[]): void {
    if (values.every((value) => value === undefined)) return;
    let index = 0;
    this.#clauses.push(clause.replace(/\?/g, () => this.next(values[index++])));
  }

  /** Adds one parameter and returns its placeholder. */
  next(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  sql(): string {
    return this.#clauses.length === 0 ? "" : ` WHERE ${this.#clauses.join(" AND ")}`;
  }
}
