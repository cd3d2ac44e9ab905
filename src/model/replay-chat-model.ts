import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UserError } from '../errors.js';
import { applyStopSequences } from './apply-stop-sequences.js';
import type { ChatModel, ChatReply, ChatRequest } from './chat-model.js';
import { ReplayExhaustedError, ReplayScriptNotFoundError } from './replay-errors.js';
import { findScript, firstUserText, replayPosition } from './replay-lookup.js';
import { parseReplayFile, type ReplayLibrary } from './replay-script.js';

/**
 * A `ChatModel` that plays recorded assistant turns instead of generating: demos without weights,
 * reproducible bug reports, and re-running tools over an old trajectory. Its name starts with `replay:`
 * so every trajectory and report says the model was replayed.
 *
 * Stateless: the turn to play follows from the request alone (how many assistant turns it already
 * holds, see `replayPosition`; which script, see `findScript`), so one instance serves any number of
 * concurrent runs and the same request always gets the same reply.
 *
 * Replies behave like a vLLM server's: the request's stop strings cut the recorded text and are
 * reported as `stopSequence` (the agent puts them back, as for a live server), and a pre-filled prefix
 * the recording starts with is not repeated.
 */
export class ReplayChatModel implements ChatModel {
  readonly name: string;
  private readonly library: ReplayLibrary;

  /** @param label shown after `replay:`, usually the file name. */
  constructor(library: ReplayLibrary, label: string) {
    this.library = library;
    this.name = `replay:${label}`;
  }

  /** Reads and validates a replay file (formats in `parseReplayFile`). */
  static async fromFile(path: string): Promise<ReplayChatModel> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new UserError('replay-file-missing', `Cannot read replay file ${path}`, {
        cause: error,
        hint: 'Check the --replay path.',
      });
    }
    return new ReplayChatModel(parseReplayFile(text, path), basename(path));
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatReply> {
    signal?.throwIfAborted();
    const script = findScript(this.library, request);
    if (script === undefined) {
      throw new ReplayScriptNotFoundError({
        modelName: this.name,
        itemId: request.metadata?.itemId,
        question: firstUserText(request),
        keys: this.library.kind === 'library' ? this.library.scripts.map((entry) => entry.key ?? '') : [],
      });
    }
    const { turnIndex, prefix } = replayPosition(request);
    const recorded = script.turns[turnIndex];
    if (recorded === undefined) {
      throw new ReplayExhaustedError({
        modelName: this.name,
        scriptKey: script.key,
        turnIndex,
        recordedTurns: script.turns.length,
      });
    }
    const generated =
      prefix !== '' && recorded.text.startsWith(prefix) ? recorded.text.slice(prefix.length) : recorded.text;
    const reply: ChatReply = {
      text: generated,
      finishReason: recorded.finishReason,
      model: this.name,
      latencyMs: 0,
    };
    // A turn recorded as cut by the token limit was never stopped by a stop string: play it as is.
    if (recorded.finishReason !== 'length') {
      const cut = applyStopSequences(generated, request.stop);
      reply.text = cut.text;
      if (cut.stopSequence !== undefined) {
        reply.finishReason = 'stop';
        reply.stopSequence = cut.stopSequence;
      }
    }
    return reply;
  }
}
