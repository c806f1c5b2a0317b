/**
 * The bind parameters of one statement assembled from several stores' parts (a CTE whose WITH items
 * each write one table): every part adds its values here and writes the placeholder it gets back, so
 * no part needs to know how many parameters the others took.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  /** `$n` (with an optional cast) for one more value. */
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}
