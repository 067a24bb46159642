import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, JSON_SCHEMA_FILE } from './writeJsonSchema';

describe('docs/aisle.schema.json', () => {
  it('matches the zod config schema (run `pnpm config:schema` after changing configSchema.ts)', () => {
    expect(fs.readFileSync(JSON_SCHEMA_FILE, 'utf8')).toBe(configJsonSchema());
  });

  it('is the schema aisle.yaml points editors at, and it refuses unknown keys', () => {
    const yaml = fs.readFileSync(path.resolve(import.meta.dirname, '../../../aisle.yaml'), 'utf8');
    expect(yaml.split('\n')[0]).toBe('# yaml-language-server: $schema=./docs/aisle.schema.json');
    const schema: unknown = JSON.parse(configJsonSchema());
    expect(schema).toMatchObject({
      additionalProperties: false,
      properties: {
        chat: { properties: { model: { type: 'string' } }, additionalProperties: false },
        ollama: { properties: { hosts: { type: 'array' } } },
        models: { type: 'object' },
      },
    });
  });
});
