import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { connectRedis, withoutPassword } from './redisConnection';

describe('connecting to Redis', () => {
  it('fails with the address and the setting to check, never the password', async () => {
    // Port 1 on this machine: nothing listens there.
    const failed = connectRedis('redis://:hunter2@127.0.0.1:1', pino({ level: 'silent' }));
    await expect(failed).rejects.toThrow(
      /^Could not reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 \(redis\.url or REDIS_URL\)/,
    );
    await expect(failed).rejects.not.toThrow(/hunter2/);
  });

  it('keeps URLs without a password as they are', () => {
    expect(withoutPassword('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
