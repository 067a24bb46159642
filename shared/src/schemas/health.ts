import { z } from 'zod';

/** What `GET /api/health` reports, and what the UI shows banners from. */
export const healthSchema = z.object({
  ok: z.boolean(),
  ollama: z.object({
    host: z.string(),
    reachable: z.boolean(),
    version: z.string().nullable(),
    error: z.string().nullable(),
  }),
  model: z.object({
    name: z.string(),
    available: z.boolean().nullable(),
    pullCommand: z.string(),
  }),
  catalogue: z.object({ products: z.number().int() }),
});
export type Health = z.infer<typeof healthSchema>;
