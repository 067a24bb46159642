import { z } from 'zod';
import { configStatusSchema } from './config';

/** The full health check, as the server makes it: the host it asked, its error and the pull command. */
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

/** What is wrong, in words a shopper may read (no host, no command); null when all is well. */
export const healthIssueSchema = z
  .object({
    code: z.enum(['ollama-unreachable', 'model-not-pulled']),
    message: z.string(),
  })
  .nullable();
export type HealthIssue = z.infer<typeof healthIssueSchema>;

/**
 * What `GET /api/health` replies and the UI shows banners from. Everyone gets the status and `issue`;
 * the details (Ollama's host, version and error, the model's name and pull command) come only to a
 * signed-in agent and to a developer on the machine of a loopback-bound server.
 */
export const healthReplySchema = z.object({
  ok: z.boolean(),
  issue: healthIssueSchema,
  ollama: healthSchema.shape.ollama.partial().required({ reachable: true }),
  model: healthSchema.shape.model.partial().required({ available: true }),
  catalogue: healthSchema.shape.catalogue,
  /** The config in force and any refused edit: details, so for agents and the local developer only. */
  config: configStatusSchema.optional(),
});
export type HealthReply = z.infer<typeof healthReplySchema>;
