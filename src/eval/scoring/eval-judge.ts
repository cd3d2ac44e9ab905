/**
 * The judge as evaluation needs it. `src/reward/` builds the full judge (cache, endpoints, exact
 * upstream prompts); anything with this shape plugs in, e.g. `createChatJudge` over a `ChatModel`.
 */
export type JudgeStyle = 'semantic' | 'math';

export type JudgeRequest = {
  question: string;
  reference: string;
  prediction: string;
  /** semantic: the Yes/No equivalence judgement (perception, search); math: TRUE/FALSE equivalence. */
  style: JudgeStyle;
};

/** `unknown` means the judge answered but no verdict could be read: never counted as wrong. */
export type JudgeVerdict = { verdict: 'correct' | 'wrong' | 'unknown'; judge: string; raw?: string };

export interface EvalJudge {
  readonly name: string;
  /** Throws a `DeepeyesError` when the judge server cannot be reached (the runner retries). */
  judge(request: JudgeRequest, signal?: AbortSignal): Promise<JudgeVerdict>;
}
