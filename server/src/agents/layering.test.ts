import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Services sit below transport: app.ts wires routes and sockets to them, never the other way.
const FORBIDDEN = [/^\.\.\/http\//, /^\.\.\/sockets\//, /^\.\.\/app$/, /^express$/, /^socket\.io$/];

describe('agent services', () => {
  it('import nothing from HTTP, sockets, Express, Socket.IO or app.ts', () => {
    const dir = import.meta.dirname;
    const offending = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((file) =>
        [...fs.readFileSync(path.join(dir, file), 'utf8').matchAll(/from '([^']+)'/g)]
          .map((m) => m[1] ?? '')
          .filter((spec) => FORBIDDEN.some((re) => re.test(spec)))
          .map((spec) => `${file} imports ${spec}`),
      );
    expect(offending).toEqual([]);
  });
});
