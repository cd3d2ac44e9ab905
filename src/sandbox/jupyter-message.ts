import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Separates routing identities from the signed parts of a Jupyter wire message. */
const DELIMITER = '<IDS|MSG>';
const PROTOCOL_VERSION = '5.3';

const headerSchema = z.object({
  msg_id: z.string(),
  msg_type: z.string(),
  session: z.string().optional(),
  username: z.string().optional(),
  date: z.string().optional(),
  version: z.string().optional(),
});

/** A decoded Jupyter message; `content` is validated per message type by the reader. */
export type JupyterMessage = {
  header: z.infer<typeof headerSchema>;
  parentHeader: { msg_id?: string; msg_type?: string };
  metadata: Record<string, unknown>;
  content: unknown;
};

export type MessageSigner = {
  /** Wire frames for a new request; returns its msg_id alongside. */
  encode(
    msgType: string,
    content: unknown,
    metadata?: Record<string, unknown>,
  ): { msgId: string; frames: Buffer[] };
  /** Parses and verifies a received multipart message; throws on a bad signature or shape. */
  decode(frames: Buffer[]): JupyterMessage;
};

const parentSchema = z.object({ msg_id: z.string().optional(), msg_type: z.string().optional() }).loose();
const recordSchema = z.record(z.string(), z.unknown());

/**
 * Jupyter wire protocol framing with HMAC-SHA256 signatures (messaging spec 5.3):
 * `[identities…, '<IDS|MSG>', hmac, header, parent_header, metadata, content, buffers…]`.
 */
export function createMessageSigner(key: string, session: string = randomUUID()): MessageSigner {
  const sign = (parts: Buffer[]): string => {
    const hmac = createHmac('sha256', key);
    for (const part of parts) hmac.update(part);
    return hmac.digest('hex');
  };
  return {
    encode(msgType, content, metadata = {}) {
      const msgId = randomUUID();
      const header = {
        msg_id: msgId,
        msg_type: msgType,
        session,
        username: 'deepeyes',
        date: new Date().toISOString(),
        version: PROTOCOL_VERSION,
      };
      const parts = [header, {}, metadata, content].map((part) => Buffer.from(JSON.stringify(part)));
      return { msgId, frames: [Buffer.from(DELIMITER), Buffer.from(sign(parts)), ...parts] };
    },
    decode(frames) {
      const delimiterIndex = frames.findIndex((frame) => frame.toString() === DELIMITER);
      if (delimiterIndex < 0 || frames.length < delimiterIndex + 6) {
        throw new Error('malformed Jupyter message: missing delimiter or parts');
      }
      const signature = frames[delimiterIndex + 1]!;
      const parts = frames.slice(delimiterIndex + 2, delimiterIndex + 6);
      const expected = Buffer.from(sign(parts));
      if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
        throw new Error('Jupyter message signature mismatch');
      }
      const [header, parent, metadata, content] = parts.map((part) => JSON.parse(part.toString()) as unknown);
      return {
        header: headerSchema.parse(header),
        parentHeader: parentSchema.parse(parent),
        metadata: recordSchema.parse(metadata),
        content,
      };
    },
  };
}

/**
 * The content of an `execute_request`. `silent` runs without output or a history entry
 * (the sandbox's own cells); a model's calls are stored so counts and `Out[n]` advance.
 */
export function executeRequestContent(
  code: string,
  options: { silent?: boolean; storeHistory?: boolean } = {},
) {
  const silent = options.silent ?? false;
  return {
    code,
    silent,
    store_history: options.storeHistory ?? !silent,
    user_expressions: {},
    allow_stdin: false,
    stop_on_error: false,
  };
}
