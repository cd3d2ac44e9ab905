import { DeepeyesError } from '../errors.js';
import type { ChatModel, ChatReply, ChatRequest } from './chat-model.js';

/** A scripted reply: the text alone (finish reason `stop`), more fields, or an error to throw. */
export type ScriptedReply = string | (Partial<Omit<ChatReply, 'text'>> & { text: string }) | Error;

export type ScriptedResponder = (
  request: ChatRequest,
  callIndex: number,
) => ScriptedReply | Promise<ScriptedReply>;

/** The test called a scripted model more times than it scripted, or fewer (`assertConsumed`). */
export class ScriptedModelError extends DeepeyesError {}

/**
 * A `ChatModel` for tests: answers from a list/queue of replies (one per call, in order) or from a
 * function, records every request, and fails loudly when called past its script. Call
 * `assertConsumed()` at the end of a test to check every scripted reply was used. Replies are returned
 * verbatim: no stop strings are applied, so a test states exactly what the "server" answered.
 *
 * @example
 * const model = new ScriptedChatModel(['<think>…</think>\n<answer>42</answer>']);
 * await runAgent(input, { model, … }, options);
 * model.assertConsumed();
 * expect(model.requests[0]?.stop).toEqual(['</code>', '</tool_call>']);
 */
export class ScriptedChatModel implements ChatModel {
  readonly name: string;
  /** Every request received, in call order. */
  readonly requests: ChatRequest[] = [];
  private readonly queue: ScriptedReply[] = [];
  private readonly responder: ScriptedResponder | undefined;

  /**
   * @param script replies in order, or a function of the request and the 0-based call number.
   * @param options.label shown after `scripted:` in the name (default `test`).
   */
  constructor(script: readonly ScriptedReply[] | ScriptedResponder = [], options: { label?: string } = {}) {
    this.name = `scripted:${options.label ?? 'test'}`;
    if (typeof script === 'function') this.responder = script;
    else this.queue.push(...script);
  }

  /** Appends replies to the queue (not for a function-scripted model). */
  enqueue(...replies: ScriptedReply[]): this {
    if (this.responder)
      throw new ScriptedModelError(
        'scripted-misuse',
        `${this.name} answers from a function; enqueue is not used`,
      );
    this.queue.push(...replies);
    return this;
  }

  /** Scripted replies not yet used. */
  get remaining(): number {
    return this.queue.length;
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatReply> {
    signal?.throwIfAborted();
    const callIndex = this.requests.length;
    this.requests.push(request);
    let scripted: ScriptedReply;
    if (this.responder) {
      scripted = await this.responder(request, callIndex);
    } else {
      const next = this.queue.shift();
      if (next === undefined) {
        throw new ScriptedModelError(
          'scripted-exhausted',
          `${this.name} was called ${callIndex + 1} time(s) but scripted only ${callIndex} repl${callIndex === 1 ? 'y' : 'ies'}`,
          { hint: `last request ended with: ${JSON.stringify(lastMessageText(request).slice(-200))}` },
        );
      }
      scripted = next;
    }
    if (scripted instanceof Error) throw scripted;
    const reply = typeof scripted === 'string' ? { text: scripted } : scripted;
    return { finishReason: 'stop', model: this.name, latencyMs: 0, ...reply };
  }

  /** Throws if scripted replies were left unused: the code under test called the model too few times. */
  assertConsumed(): void {
    if (this.queue.length > 0) {
      throw new ScriptedModelError(
        'scripted-unconsumed',
        `${this.name} has ${this.queue.length} unused scripted repl${this.queue.length === 1 ? 'y' : 'ies'} after ${this.requests.length} call(s)`,
      );
    }
  }
}

function lastMessageText(request: ChatRequest): string {
  const last = request.messages.at(-1);
  if (last === undefined) return '';
  if (typeof last.content === 'string') return last.content;
  return last.content.map((part) => (part.type === 'text' ? part.text : '<image>')).join('');
}
