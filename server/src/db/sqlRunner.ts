/**
 * Raw SQL on either engine. Repositories write their hand-tuned SQL once with `?` (or `@name`)
 * placeholders, as better-sqlite3 takes them; for PostgreSQL the text is rewritten to `$1, $2, …`
 * once per distinct text. Transactions are written as generators of steps (`yield* step.get(…)`) so
 * the same body runs synchronously inside a better-sqlite3 transaction on SQLite (nothing else can
 * interleave, and no promise is created per statement) and over one pooled connection on PostgreSQL.
 */

/** Which engine keeps the shop: the SQLite file (default) or PostgreSQL (`database.url`). */
export type Dialect = 'sqlite' | 'postgres';

/** Positional (`?`) or named (`@name`) parameters. */
export type SqlParams = readonly unknown[] | Readonly<Record<string, unknown>>;

/** Raw SQL queries: rows, the first row, or the number of rows changed. */
export interface SqlRunner {
  all<Row>(text: string, params?: SqlParams): Promise<Row[]>;
  get<Row>(text: string, params?: SqlParams): Promise<Row | undefined>;
  run(text: string, params?: SqlParams): Promise<number>;
}

/** One statement of a transaction body. */
export interface SqlStep {
  op: 'all' | 'get' | 'run';
  text: string;
  params: SqlParams;
}

/** A transaction body: yields statements, receives their results, returns the transaction's value. */
export type SqlSteps<T> = Generator<SqlStep, T, unknown>;

/** The statements a transaction body yields (`const row = yield* step.get<Row>(sql, params)`). */
export const step = {
  *all<Row>(text: string, params: SqlParams = []): Generator<SqlStep, Row[], unknown> {
    return (yield { op: 'all', text, params }) as Row[];
  },
  *get<Row>(text: string, params: SqlParams = []): Generator<SqlStep, Row | undefined, unknown> {
    return (yield { op: 'get', text, params }) as Row | undefined;
  },
  *run(text: string, params: SqlParams = []): Generator<SqlStep, number, unknown> {
    return (yield { op: 'run', text, params }) as number;
  },
};

/** Runs a body whose steps complete synchronously (better-sqlite3). */
export function driveSync<T>(body: SqlSteps<T>, execute: (s: SqlStep) => unknown): T {
  let next = body.next();
  while (!next.done) next = body.next(execute(next.value));
  return next.value;
}

/** Runs a body whose steps complete asynchronously (one PostgreSQL connection). */
export async function driveAsync<T>(body: SqlSteps<T>, execute: (s: SqlStep) => Promise<unknown>): Promise<T> {
  let next = body.next();
  while (!next.done) next = body.next(await execute(next.value));
  return next.value;
}

/** SQL rewritten for PostgreSQL: `$n` placeholders, and the parameter names in order when named. */
export interface NumberedSql {
  text: string;
  names: string[] | null;
}

/**
 * `?` and `@name` placeholders to `$1, $2, …`, skipping string literals, quoted identifiers, dollar
 * quotes and comments. `@@` (the text-search operator) is not a placeholder.
 */
export function numberPlaceholders(text: string): NumberedSql {
  let out = '';
  let positional = 0;
  const names: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      const stop = end === -1 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i))?.[0];
      if (tag) {
        const end = text.indexOf(tag, i + tag.length);
        const stop = end === -1 ? text.length : end + tag.length;
        out += text.slice(i, stop);
        i = stop;
        continue;
      }
    }
    if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '?') {
      positional += 1;
      out += `$${positional}`;
      i += 1;
      continue;
    }
    if (c === '@' && text[i - 1] !== '@' && /[A-Za-z_]/.test(text[i + 1] ?? '')) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0] ?? '';
      let index = names.indexOf(name);
      if (index === -1) index = names.push(name) - 1;
      out += `$${index + 1}`;
      i += 1 + name.length;
      continue;
    }
    out += c;
    i += 1;
  }
  if (positional > 0 && names.length > 0) throw new Error('SQL mixes ? and @name placeholders');
  return { text: out, names: names.length > 0 ? names : null };
}

/** The values of `params` in `$n` order for a rewritten statement. */
export function orderedValues(sql: NumberedSql, params: SqlParams): unknown[] {
  if (sql.names === null) return Array.isArray(params) ? [...(params as unknown[])] : [];
  const named = params as Readonly<Record<string, unknown>>;
  return sql.names.map((n) => {
    if (!(n in named)) throw new Error(`SQL parameter @${n} has no value`);
    return named[n];
  });
}
