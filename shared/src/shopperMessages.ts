import { BUSY_MESSAGE, RETRYABLE_CODES, type AppErrorBody, type ErrorCode } from './errors';

/**
 * What a shopper reads for each error code. Written for someone on the shop's page: no address, port,
 * command, model name or upstream text, and always a way forward (the page adds the matching button:
 * Retry for retryable codes, "Talk to a person" or "Leave your email").
 */
export const SHOPPER_MESSAGES = {
  'bad-request': "That didn't work. Please check your message and try again.",
  'not-found': "We couldn't find that conversation. Start a new chat.",
  forbidden: "That isn't allowed here. Start a new chat if you need help.",
  unauthorized: 'Your session has ended. Reload the page to continue.',
  'rate-limited': "You're going a little fast. Please wait a minute and try again.",
  'message-too-long': 'Your message is too long. Shorten it and send again.',
  'answer-in-progress': 'Please wait for the current answer to finish, or stop it.',
  'nothing-to-stop': 'There is no answer to stop.',
  'ollama-unreachable': "The assistant can't answer right now. Please try again, or ask a person for help.",
  'ollama-timeout': 'The assistant took too long to answer. Please try again.',
  'ollama-busy': "The assistant is busy right now. Please try again in a moment.",
  'model-not-pulled': "The assistant isn't ready yet. Please try again in a few minutes, or ask a person for help.",
  'model-unsupported': "The assistant can't answer right now. Please ask a person for help.",
  'model-error': "Something went wrong while answering. Please try again.",
  'generation-failed': "Something went wrong while answering. Please try again.",
  'generation-interrupted': 'The answer stopped before it was finished. Please try again.',
  'taken-over': 'A member of our team is answering this conversation.',
  busy: BUSY_MESSAGE,
  internal: 'Something went wrong on our side. Please try again.',
  'bad-reply': 'Something went wrong on our side. Please reload the page and try again.',
} as const satisfies Record<ErrorCode, string>;

/**
 * Codes whose server text is written for operators (it names hosts, models, commands or repeats the
 * upstream error): shoppers always get the table's sentence for these. Other codes carry sentences the
 * chat service writes for shoppers (e.g. the size of a message over the limit) and keep them.
 */
export const OPERATOR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ollama-unreachable',
  'ollama-timeout',
  'ollama-busy',
  'model-not-pulled',
  'model-unsupported',
  'model-error',
  'generation-failed',
  'generation-interrupted',
  'internal',
  'bad-reply',
]);

/** Model names as Ollama spells them (`qwen3:4b`, `llama3.1`): the shopper does not need to know. */
const MODEL_NAME = /\b(qwen|llama|mistral|mixtral|gemma|phi|deepseek|granite|smollm)[\w.-]*|\w:\d+(\.\d+)?b\b/i;

const UNSAFE = [/https?:/i, /:\/\//, /\b127\.0\.0\.1\b/, /\blocalhost\b/i, /\bollama\s+(pull|serve)\b/i, /OLLAMA_HOST/, /`/, /\b\d{1,3}(\.\d{1,3}){3}\b/, /:\d{2,5}\b/, MODEL_NAME];

/** True when a sentence names nothing internal: no URL, address, port, command or code span. */
export function isShopperSafe(text: string): boolean {
  return !UNSAFE.some((pattern) => pattern.test(text));
}

/** Whether the page should offer Retry for this code. */
export const isRetryable = (code: ErrorCode): boolean => RETRYABLE_CODES.has(code);

/**
 * The error as a shopper receives it. Operator codes (and any text that fails {@link isShopperSafe})
 * read the table's sentence; the original message and hint become `developer`, kept only when
 * `isLocalDeveloper` (the quick start on this machine), so a developer trying Aisle still sees what to do.
 */
export function shopperError(error: AppErrorBody, isLocalDeveloper: boolean): AppErrorBody {
  const code = error.code;
  const keep = !OPERATOR_CODES.has(code) && isShopperSafe(error.message) && (error.hint === undefined || isShopperSafe(error.hint));
  const safe: AppErrorBody = keep
    ? { code, message: error.message, ...(error.hint !== undefined ? { hint: error.hint } : {}) }
    : { code, message: SHOPPER_MESSAGES[code] };
  if (keep || !isLocalDeveloper) return safe;
  const detail = [error.message, error.hint].filter((t): t is string => t !== undefined && t !== '').join(' ');
  return detail === '' ? safe : { ...safe, developer: detail };
}
