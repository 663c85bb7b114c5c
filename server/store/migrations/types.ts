/** A versioned schema change. Areas own version blocks (see docs/extending.md). */
export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

/** A migration whose SQL is the same in both dialects. */
export const portable = (version: number, name: string, sql: string): Migration => ({
  version,
  name,
  sqlite: sql,
  postgres: sql,
});
