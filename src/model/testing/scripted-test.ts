import { test } from 'vitest';
import { ScriptedChatModel, type ScriptedReply, type ScriptedResponder } from '../scripted-chat-model.js';

/** Makes scripted models for one test; every one is checked for unused replies when the test ends. */
export type ScriptedModels = (
  script?: readonly ScriptedReply[] | ScriptedResponder,
  options?: { label?: string },
) => ScriptedChatModel;

/**
 * Fixture body for `scripted`: a factory of scripted models whose scripts must be used up. A test
 * that leaves scripted replies unused fails at teardown (`assertConsumed`), so a loop that stops
 * calling the model too early cannot pass unnoticed. Use {@link scriptedTest}, or add it to another
 * fixture chain: `sandboxTest().extend('scripted', scriptedModels)`.
 */
export async function scriptedModels(
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
  {}: object,
  { onCleanup }: { onCleanup: (cleanup: () => void | Promise<void>) => void },
): Promise<ScriptedModels> {
  const made: ScriptedChatModel[] = [];
  onCleanup(() => {
    for (const model of made) model.assertConsumed();
  });
  return (script = [], options = {}) => {
    const model = new ScriptedChatModel(script, options);
    made.push(model);
    return model;
  };
}

/** A vitest `test` with the `scripted` fixture. */
export const scriptedTest = test.extend('scripted', scriptedModels);
