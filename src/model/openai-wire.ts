import { z } from 'zod';
import type { ChatReply, ChatRequest, FinishReason } from './chat-model.js';
import { convertMessages, type DataUriCache } from './convert-messages.js';

/**
 * The OpenAI chat-completions wire format as vLLM, SGLang, Ollama and llama.cpp's server speak it:
 * building request bodies and reading replies, pure. The I/O lives in `openai-chat-model.ts`.
 */

/**
 * Accepts `http://host:8000`, `http://host:8000/`, `http://host:8000/v1` and `…/v1/`; returns the API
 * base ending in `/v1` (or the given path when it already names another version, e.g. `/api/v2`).
 */
export function normalizeBaseUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  const parsed = new URL(trimmed);
  if (parsed.pathname === '' || parsed.pathname === '/') return `${trimmed}/v1`;
  return trimmed;
}

/** The JSON body of `POST /v1/chat/completions` for one request. */
export function buildChatCompletionBody(
  request: ChatRequest,
  model: string,
  cache: DataUriCache,
  extraBody: Record<string, unknown> = {},
): Record<string, unknown> {
  // extraBody first: it adds server-specific fields (top_k, repetition_penalty), never overrides ours.
  const body: Record<string, unknown> = {
    ...extraBody,
    model,
    messages: convertMessages(request.messages, cache),
  };
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.continueFinalMessage) {
    // vLLM renders the last assistant message open, so the model continues the pre-filled `<think>`.
    body.continue_final_message = true;
    body.add_generation_prompt = false;
  }
  return body;
}

const chatCompletionReplySchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional() }),
        finish_reason: z.string().nullable().optional(),
        /** vLLM: the stop string (or stop token id) that ended generation; null at EOS. */
        stop_reason: z.union([z.string(), z.number()]).nullable().optional(),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullable().optional(),
});

/** Reads a chat-completions reply; returns a description of the problem when the shape is wrong. */
export function readChatCompletionReply(
  json: unknown,
  fallbackModel: string,
): { reply: Omit<ChatReply, 'latencyMs'> } | { problem: string } {
  const parsed = chatCompletionReplySchema.safeParse(json);
  if (!parsed.success)
    return { problem: `a reply that is not a chat completion (${z.prettifyError(parsed.error)})` };
  const choice = parsed.data.choices[0]!;
  const reply: Omit<ChatReply, 'latencyMs'> = {
    text: choice.message.content ?? '',
    finishReason: toFinishReason(choice.finish_reason),
    model: parsed.data.model ?? fallbackModel,
  };
  if (typeof choice.stop_reason === 'string') reply.stopSequence = choice.stop_reason;
  if (parsed.data.usage) {
    reply.usage = {
      promptTokens: parsed.data.usage.prompt_tokens,
      completionTokens: parsed.data.usage.completion_tokens,
    };
  }
  return { reply };
}

function toFinishReason(reason: string | null | undefined): FinishReason {
  if (reason === 'stop' || reason === 'length') return reason;
  return 'other';
}

const modelListSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

/** Reads `GET /v1/models`; undefined when the shape is wrong. */
export function readModelList(json: unknown): string[] | undefined {
  const parsed = modelListSchema.safeParse(json);
  return parsed.success ? parsed.data.data.map((entry) => entry.id) : undefined;
}

const errorBodySchema = z.union([
  z.object({ error: z.object({ message: z.string() }) }), // OpenAI, SGLang, llama.cpp
  z.object({ message: z.string() }), // vLLM
  z.object({ detail: z.string() }), // FastAPI default
  z.object({ error: z.string() }), // Ollama
]);

/** The human-readable message inside an error body, else the start of the raw body. */
export function serverErrorMessage(bodyText: string): string {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    return bodyText.trim().slice(0, 500) || '(empty body)';
  }
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return bodyText.trim().slice(0, 500);
  const body = parsed.data;
  if ('detail' in body) return body.detail;
  if ('message' in body) return body.message;
  return typeof body.error === 'string' ? body.error : body.error.message;
}
