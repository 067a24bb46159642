import path from 'node:path';
import { z } from 'zod';
import { configSchema } from './configSchema';

/** Where the schema lives; aisle.yaml points editors at it (`# yaml-language-server: $schema=…`). */
export const JSON_SCHEMA_FILE = path.resolve(import.meta.dirname, '../../../docs/aisle.schema.json');

/**
 * The JSON Schema of aisle.yaml, generated from the zod schema so the two cannot disagree. Input mode:
 * every field with a default is optional, as it is in the file.
 */
export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-07', unrepresentable: 'any' });
  const document = {
    ...schema,
    title: 'Aisle configuration (aisle.yaml)',
    description: 'Generated from server/src/config/configSchema.ts by `pnpm config:schema`. Do not edit by hand.',
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
