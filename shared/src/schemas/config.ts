import { z } from 'zod';

/** A moment and why: when an edit was refused or applied unchecked. */
const configNoteSchema = z.object({ at: z.iso.datetime(), reason: z.string() });

/**
 * The config in force as agents see it (`GET /api/agent/config`): its version, since when, and the
 * last edit the server refused (a missing model, an invalid field) when none was applied since.
 */
export const configStatusSchema = z.object({
  version: z.string(),
  appliedAt: z.iso.datetime(),
  refused: configNoteSchema.optional(),
  /** The edit in force was applied without checking its model: the hosts could not be reached. */
  unverified: configNoteSchema.optional(),
});
export type ConfigStatus = z.infer<typeof configStatusSchema>;
