import type { ChatModel } from '../../model/chat-model.js';
import type { EvalJudge, JudgeRequest, JudgeVerdict } from './eval-judge.js';

/**
 * A judge over any `ChatModel` with deepeyes' own prompt wording (the authors' texts are not ours
 * to ship; `src/reward/` loads them from a file when exact reproduction matters). Verdicts are read
 * exactly and case-insensitively; an unreadable reply is asked again, then reported as unknown.
 */
export function createChatJudge(model: ChatModel, options: { maxAttempts?: number } = {}): EvalJudge {
  const maxAttempts = options.maxAttempts ?? 2;
  return {
    name: `judge:${model.name}`,
    async judge(request, signal) {
      let raw = '';
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const reply = await model.complete(
          { messages: judgeMessages(request), temperature: 0, maxTokens: 512, seed: attempt },
          signal,
        );
        raw = reply.text;
        const verdict = parseJudgeVerdict(raw, request.style);
        if (verdict !== 'unknown') return { verdict, judge: model.name, raw };
      }
      return { verdict: 'unknown', judge: model.name, raw } satisfies JudgeVerdict;
    },
  };
}

function judgeMessages(request: JudgeRequest): { role: 'system' | 'user'; content: string }[] {
  if (request.style === 'math') {
    return [
      {
        role: 'system',
        content:
          'You compare a student answer with a reference answer to a math question. Decide whether the two final ' +
          'answers are mathematically equivalent (same value, set or expression; ignore formatting and units written ' +
          'differently). Explain briefly, then end with a line "## Equivalence Judgement" followed by TRUE or FALSE.',
      },
      {
        role: 'user',
        content: `Question: ${request.question}\nReference answer: ${request.reference}\nStudent answer: ${request.prediction}`,
      },
    ];
  }
  return [
    {
      role: 'system',
      content:
        'You check answers to questions about images. Given the question, the reference answer (alternatives may be ' +
        'joined by "or") and a model answer, decide whether the model answer means the same as the reference or one ' +
        'of its alternatives. Extra correct detail is fine; a different or hedged answer is not. Reply with ' +
        'one short sentence of reasoning and then \\boxed{Yes} or \\boxed{No}.',
    },
    {
      role: 'user',
      content: `Question: ${request.question}\nReference answer: ${request.reference}\nModel answer: ${request.prediction}`,
    },
  ];
}

/** Reads `\boxed{Yes|No}` (semantic) or the TRUE/FALSE after `## Equivalence Judgement` (math). */
export function parseJudgeVerdict(reply: string, style: JudgeRequest['style']): JudgeVerdict['verdict'] {
  if (style === 'math') {
    const section = /equivalence judgement\s*[:：]?\s*\**\s*(true|false)\b/i.exec(reply);
    const word = section?.[1] ?? /^\s*(true|false)\s*$/i.exec(reply)?.[1];
    if (!word) return 'unknown';
    return word.toLowerCase() === 'true' ? 'correct' : 'wrong';
  }
  const boxes = [...reply.matchAll(/\\boxed\{\s*([^{}]*?)\s*\}/g)].map((match) => match[1]!.toLowerCase());
  const last = boxes.at(-1) ?? /^\s*(yes|no)[.!]?\s*$/i.exec(reply)?.[1]?.toLowerCase();
  if (last === 'yes') return 'correct';
  if (last === 'no') return 'wrong';
  return 'unknown';
}
