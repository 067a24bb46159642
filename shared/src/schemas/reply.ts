import { z } from 'zod';

/**
 * The error half of a JSON reply as it arrives over the wire. `code` stays a plain string here: a
 * client older than the server may meet a code it does not know yet and must still show the message.
 */
export const replyErrorSchema = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() });
export type ReplyError = z.infer<typeof replyErrorSchema>;

/**
 * The one envelope every JSON reply uses (`Result` in `errors.ts`), with `data` left unread: each
 * endpoint's own schema validates it.
 */
export const replyEnvelopeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: replyErrorSchema }),
]);
export type ReplyEnvelope = z.infer<typeof replyEnvelopeSchema>;

/** The `data` of a reply that only confirms (`ok(null)`), e.g. sign-out or removing an agent. */
export const emptyReplySchema = z.null();
