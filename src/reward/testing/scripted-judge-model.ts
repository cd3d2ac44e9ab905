import type { ChatModel, ChatReply, ChatRequest } from '../../model/chat-model.js';

/**
 * SCRIPTED judge model for reward tests: replies come from a list (one per call) or a function, every
 * request is recorded, and a call past the end of the list throws.
 */
export class ScriptedJudgeModel implements ChatModel {
  readonly requests: ChatRequest[] = [];
  private index = 0;

  constructor(
    private readonly script:
      | readonly (string | Error)[]
      | ((request: ChatRequest) => string | Promise<string>),
    readonly name = 'scripted-judge',
  ) {}

  get calls(): number {
    return this.requests.length;
  }

  /** Replies left unused in a list script. */
  get remaining(): number {
    return typeof this.script === 'function' ? 0 : this.script.length - this.index;
  }

  async complete(request: ChatRequest): Promise<ChatReply> {
    this.requests.push(request);
    let text: string;
    if (typeof this.script === 'function') {
      text = await this.script(request);
    } else {
      const next = this.script[this.index++];
      if (next === undefined)
        throw new Error(`scripted judge called ${this.index} times, script has ${this.script.length}`);
      if (next instanceof Error) throw next;
      text = next;
    }
    return { text, finishReason: 'stop', model: this.name, latencyMs: 0 };
  }
}
