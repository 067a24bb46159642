import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { databaseFile, openDatabase } from '@aisle/server/db/database';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
// Each command is a fresh `tsx` process (a few seconds on a busy machine), so these tests get more time.
let dataDir: string;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-agent-cli-'));
});
afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `pnpm agent …` (the same script) with the password piped on stdin. */
function agentCli(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      tsx,
      ['server/src/cli/agent.ts', ...args],
      { cwd: root, env: { ...process.env, AISLE_DATA_DIR: dataDir, AISLE_CONFIG: '' } },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(stdin);
  });
}

describe('pnpm agent', () => {
  it('creates the first admin with a password from stdin, stored as Argon2id, and lists it', async () => {
    const created = await agentCli(
      ['create', '--email', 'Root@Shop.example', '--role', 'admin', '--name', 'Root'],
      'a long admin password\n',
    );
    expect(created).toMatchObject({ code: 0, stdout: expect.stringContaining('Created admin root@shop.example') });

    const listed = await agentCli(['list']);
    expect(listed.stdout).toMatch(/root@shop\.example\s+admin\s+active\s+Root/);

    const db = await openDatabase(databaseFile({ dataDir }));
    try {
      const row = await db.kysely.selectFrom('agents').selectAll().executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(row.password_hash).not.toContain('a long admin password');
    } finally {
      await db.close();
    }
  }, 90_000);

  it('refuses a missing or short password (there is no default), a bad role and a duplicate email', async () => {
    expect(await agentCli(['create', '--email', 'ann@shop.example', '--role', 'admin'], '')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('12 characters'),
    });
    expect(await agentCli(['create', '--email', 'ann@shop.example', '--role', 'admin'], 'short\n')).toMatchObject({ code: 1 });
    expect(await agentCli(['create', '--email', 'ann@shop.example', '--role', 'boss'], 'a long enough password\n')).toMatchObject(
      { code: 1, stderr: expect.stringContaining('--role') },
    );
    expect((await agentCli(['list'])).stdout).toContain('No agent accounts yet');

    expect((await agentCli(['create', '--email', 'ann@shop.example', '--role', 'agent'], 'a long enough password\n')).code).toBe(
      0,
    );
    expect(await agentCli(['create', '--email', 'ANN@shop.example', '--role', 'agent'], 'another long password\n')).toMatchObject(
      { code: 1, stderr: expect.stringContaining('already exists') },
    );
  }, 90_000);

  it('disables and enables an account', async () => {
    await agentCli(['create', '--email', 'ann@shop.example', '--role', 'agent'], 'a long enough password\n');
    expect((await agentCli(['disable', '--email', 'ann@shop.example'])).code).toBe(0);
    expect((await agentCli(['list'])).stdout).toMatch(/ann@shop\.example\s+agent\s+disabled/);
    expect((await agentCli(['enable', '--email', 'ann@shop.example'])).code).toBe(0);
    expect((await agentCli(['list'])).stdout).toMatch(/ann@shop\.example\s+agent\s+active/);
    expect(await agentCli(['disable', '--email', 'nobody@shop.example'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no agent'),
    });
  }, 90_000);

  it('shows shoppers a display name, never the email: "A team member" until renamed', async () => {
    await agentCli(['create', '--email', 'sam.smith@shop.example', '--role', 'agent'], 'a long enough password\n');
    const listed = (await agentCli(['list'])).stdout;
    expect(listed).toMatch(/sam\.smith@shop\.example\s+agent\s+active\s+A team member/);
    expect(await agentCli(['rename', '--email', 'sam.smith@shop.example', '--name', 'Sam'])).toMatchObject({ code: 0 });
    expect((await agentCli(['list'])).stdout).toMatch(/sam\.smith@shop\.example\s+agent\s+active\s+Sam$/m);
    expect((await agentCli(['rename', '--email', 'sam.smith@shop.example'])).code).toBe(1);
  }, 90_000);
});
