import { DeepeyesError } from '../errors.js';

/** A replayed model was asked for a turn its recording does not have. */
export class ReplayExhaustedError extends DeepeyesError {
  readonly scriptKey: string | undefined;
  readonly turnIndex: number;
  readonly recordedTurns: number;
  constructor(options: { modelName: string; scriptKey?: string; turnIndex: number; recordedTurns: number }) {
    const which =
      options.scriptKey === undefined ? 'its script' : `script ${JSON.stringify(options.scriptKey)}`;
    super(
      'replay-exhausted',
      `${options.modelName}: asked for turn ${options.turnIndex + 1} but ${which} has only ${options.recordedTurns} recorded turn(s)`,
      {
        hint: 'The run diverged from the recording (different tools, prompts or turn limits), or the recording ended early.',
      },
    );
    this.scriptKey = options.scriptKey;
    this.turnIndex = options.turnIndex;
    this.recordedTurns = options.recordedTurns;
  }
}

/** No script of a replay library matches the request's item id or question. */
export class ReplayScriptNotFoundError extends DeepeyesError {
  readonly itemId: string | undefined;
  readonly question: string;
  constructor(options: { modelName: string; itemId?: string; question: string; keys: string[] }) {
    const shown = options.question.length > 200 ? `${options.question.slice(0, 200)}…` : options.question;
    const idText = options.itemId === undefined ? '' : `item ${JSON.stringify(options.itemId)}, `;
    const sampleKeys = options.keys.slice(0, 5).map((key) => JSON.stringify(key));
    super(
      'replay-no-script',
      `${options.modelName}: no recorded script for ${idText}question ${JSON.stringify(shown)}`,
      {
        hint:
          `A script matches when its "key" equals the item id or occurs in the question text. ` +
          `Keys in the file: ${sampleKeys.join(', ')}${options.keys.length > 5 ? ', …' : ''}`,
      },
    );
    this.itemId = options.itemId;
    this.question = options.question;
  }
}
