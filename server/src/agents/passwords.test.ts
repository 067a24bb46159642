import { parseOptions } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { dummyHash, hashPassword, verifyPassword } from './passwords';

describe('password hashing', () => {
  it('stores Argon2id with at least 19 MiB, 2 passes and parallelism 1, salted per hash', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a.startsWith('$argon2id$')).toBe(true);
    expect(a).not.toBe(b);
    const params = parseOptions(a);
    expect(params.memoryCost).toBeGreaterThanOrEqual(19_456);
    expect(params.timeCost).toBeGreaterThanOrEqual(2);
    expect(params.parallelism).toBe(1);
    expect(a).not.toContain('correct horse');
  });

  it('verifies the right password and rejects a wrong one or a broken hash', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse battery stapl')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
  });

  it('has a dummy hash with the same parameters that no typed password matches', async () => {
    const dummy = await dummyHash();
    expect(parseOptions(dummy).memoryCost).toBe(19_456);
    expect(await verifyPassword(dummy, '')).toBe(false);
  });
});
