import { describe, expect, it } from 'vitest';
import { driveSync, numberPlaceholders, orderedValues, step, type SqlStep } from './sqlRunner';

describe('numberPlaceholders (SQL written for SQLite, sent to PostgreSQL)', () => {
  it('numbers ? in order and @name by first use, leaving quoted text, comments and @@ alone', () => {
    expect(numberPlaceholders("SELECT * FROM t WHERE a = ? AND b LIKE 'what?' AND c = ?").text).toBe(
      "SELECT * FROM t WHERE a = $1 AND b LIKE 'what?' AND c = $2",
    );
    const named = numberPlaceholders('UPDATE m SET content = @content, status = @status WHERE id = @id AND x = @content');
    expect(named).toEqual({
      text: 'UPDATE m SET content = $1, status = $2 WHERE id = $3 AND x = $1',
      names: ['content', 'status', 'id'],
    });
    expect(numberPlaceholders(`SELECT doc @@ to_tsquery('english', ?) -- is it?\nFROM "odd?name"`).text).toBe(
      `SELECT doc @@ to_tsquery('english', $1) -- is it?\nFROM "odd?name"`,
    );
    expect(numberPlaceholders("SELECT ts_stat($q$SELECT 'a?' FROM x$q$), ?").text).toBe(
      "SELECT ts_stat($q$SELECT 'a?' FROM x$q$), $1",
    );
  });

  it('orders named values and refuses a missing one', () => {
    const sql = numberPlaceholders('INSERT INTO t (a, b) VALUES (@b, @a)');
    expect(orderedValues(sql, { a: 1, b: 2, extra: 3 })).toEqual([2, 1]);
    expect(() => orderedValues(sql, { a: 1 })).toThrow('SQL parameter @b has no value');
    expect(() => numberPlaceholders('SELECT ?, @a')).toThrow('mixes');
  });
});

describe('transaction bodies', () => {
  it('hand each statement its result and return the value', () => {
    const seen: SqlStep[] = [];
    const value = driveSync(
      (function* () {
        const row = yield* step.get<{ n: number }>('SELECT ? AS n', [41]);
        const changed = yield* step.run('UPDATE t SET n = ?', [row?.n]);
        return (row?.n ?? 0) + changed;
      })(),
      (s) => {
        seen.push(s);
        return s.op === 'get' ? { n: 41 } : 1;
      },
    );
    expect(value).toBe(42);
    expect(seen.map((s) => s.op)).toEqual(['get', 'run']);
  });
});
