import { extractFinalAnswer } from '../extract-answer.js';
import { readChoiceLetter } from '../verifiers/multiple-choice.js';
import { verifyByRules } from '../verifiers/rule-verifier.js';
import { canInfer } from '../verifiers/vlmevalkit/can-infer.js';
import { readYesNo } from '../verifiers/yes-no.js';
import type { JudgeTask, TaskJudge, TaskJudgeOptions } from './judge-task.js';

/**
 * A judge that answers VLMEvalKit's judge tasks with the reward layer's rules instead of a model:
 * deterministic, offline, and in the reply formats the fork's readers expect. Weaker than a model on
 * paraphrases; useful where no judge server is available and as the reference in the contract suite.
 */
export class RuleTaskJudge implements TaskJudge {
  readonly name = 'rules';

  async ask(task: JudgeTask, options: TaskJudgeOptions = {}): Promise<string> {
    options.signal?.throwIfAborted();
    switch (task.kind) {
      case 'verify': {
        const decision = await verifyByRules({
          prediction: task.prediction,
          reference: task.reference,
          kind: 'general',
        });
        return decision.correct ? '\\boxed{Yes}' : '\\boxed{No}';
      }
      case 'match-option': {
        const letter = canInfer(task.prediction, { ...task.options }) || readChoiceLetter(task.prediction);
        return letter && (letter in task.options || letter === 'Z') ? letter : 'Z';
      }
      case 'match-yes-no': {
        const reading = readYesNo(task.prediction);
        return reading === 'yes' ? 'Yes' : reading === 'no' ? 'No' : 'Unknown';
      }
      case 'extract-answer':
        return extractAnswer(task.prediction);
      case 'math-consistency': {
        const decision = await verifyByRules({
          prediction: task.extracted,
          reference: task.reference,
          kind: 'math',
        });
        return decision.correct ? '1' : '0';
      }
    }
  }
}

/** The tagged answer, a boxed one, the text after "answer is", or the last number. */
function extractAnswer(response: string): string {
  const tagged = extractFinalAnswer(response);
  if (tagged) return tagged;
  const boxed = /\\boxed\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}/g;
  const lastBox = [...response.matchAll(boxed)].at(-1);
  if (lastBox) return lastBox[1]!.trim();
  const phrased = /answer is[:\s]*([^\n]+?)[.\s]*$/im.exec(response);
  if (phrased) return phrased[1]!.trim();
  const numbers = response.match(/-?\d+(?:\.\d+)?/g);
  return numbers?.at(-1) ?? response.trim();
}
