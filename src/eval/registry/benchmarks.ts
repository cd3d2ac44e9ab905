import { UserError } from '../../errors.js';
import type { BenchmarkDefinition } from './benchmark-definition.js';

const SHORT = 'Answer with a single word or a short phrase.';
const MATH = 'Give the final answer as a number, expression or option letter.';

type DefinitionInput = Omit<
  BenchmarkDefinition,
  'aliases' | 'shuffleOptions' | 'useJudge' | 'judgeStyle' | 'categoryFields'
> &
  Partial<
    Pick<BenchmarkDefinition, 'aliases' | 'shuffleOptions' | 'useJudge' | 'judgeStyle' | 'categoryFields'>
  >;

function define(definition: DefinitionInput): BenchmarkDefinition {
  return {
    aliases: [],
    shuffleOptions: false,
    useJudge: false,
    judgeStyle: definition.family === 'math' ? 'math' : 'semantic',
    categoryFields: ['category', 'l2-category'],
    ...definition,
  };
}

/**
 * The paper's benchmarks (Tables 2–4) and RealX-Bench. Scoring follows each benchmark's own rule
 * where it is a rule (ChartQA relaxed accuracy, OCRBench containment, multiple choice by letter or
 * option text); judge-scored benchmarks fall back to rules when no judge is given, and reports say
 * which verifier decided every item.
 */
export const BENCHMARKS: readonly BenchmarkDefinition[] = [
  define({
    name: 'realx-bench',
    title: 'RealX-Bench',
    family: 'realx',
    aliases: ['realx', 'realxbench'],
    categoryFields: ['capabilities', 'domain', 'category'],
    rule: 'short-answer',
    useJudge: true,
    openInstruction: SHORT,
  }),
  define({
    name: 'vstar',
    title: 'V*',
    family: 'real-world',
    aliases: ['v*', 'vstarbench', 'vstar-bench'],
    shuffleOptions: true,
    vlmevalkit: 'multiple-choice',
    rule: 'auto',
  }),
  define({
    name: 'hrbench-4k',
    title: 'HRBench-4K',
    family: 'real-world',
    aliases: ['hrbench4k'],
    vlmevalkit: 'multiple-choice',
    rule: 'auto',
  }),
  define({
    name: 'hrbench-8k',
    title: 'HRBench-8K',
    family: 'real-world',
    aliases: ['hrbench8k'],
    vlmevalkit: 'multiple-choice',
    rule: 'auto',
  }),
  define({
    name: 'mme-realworld',
    title: 'MME-RealWorld',
    family: 'real-world',
    aliases: ['mmerealworld', 'mme-realworld-lite'],
    vlmevalkit: 'mme-realworld',
    rule: 'auto',
  }),
  define({
    name: 'treebench',
    title: 'TreeBench',
    family: 'real-world',
    aliases: ['tree-bench'],
    rule: 'auto',
  }),
  define({
    name: 'ocrbench',
    title: 'OCRBench',
    family: 'real-world',
    vlmevalkit: 'ocrbench',
    rule: 'ocr',
    openInstruction: SHORT,
  }),
  define({
    name: 'pope',
    title: 'POPE',
    family: 'hallucination',
    categoryFields: ['category'],
    vlmevalkit: 'yes-no',
    rule: 'auto',
  }),
  define({
    name: 'mme',
    title: 'MME',
    family: 'hallucination',
    categoryFields: ['category', 'l2-category'],
    vlmevalkit: 'yes-no',
    rule: 'auto',
  }),
  define({
    name: 'hallusionbench',
    title: 'HallusionBench',
    family: 'hallucination',
    aliases: ['hallusion-bench', 'hallusion'],
    categoryFields: ['category', 'l2-category'],
    vlmevalkit: 'yes-no',
    rule: 'auto',
  }),
  define({
    name: 'seed-bench-2-plus',
    title: 'SEED-Bench-2-Plus',
    family: 'real-world',
    aliases: ['seedbench2plus', 'seed-bench2-plus'],
    vlmevalkit: 'multiple-choice',
    rule: 'auto',
  }),
  define({
    name: 'charxiv',
    title: 'CharXiv',
    family: 'real-world',
    aliases: ['charxiv-reasoning', 'charxiv-descriptive'],
    rule: 'short-answer',
    useJudge: true,
    openInstruction: SHORT,
  }),
  define({
    name: 'chartqa',
    title: 'ChartQA',
    family: 'real-world',
    aliases: ['chartqa-test'],
    vlmevalkit: 'chartqa',
    rule: 'relaxed-number',
    openInstruction: SHORT,
  }),
  define({
    name: 'mathvista',
    title: 'MathVista',
    family: 'math',
    aliases: ['mathvista-mini', 'mathvista_mini'],
    split: 'testmini',
    categoryFields: ['task', 'category', 'skills'],
    vlmevalkit: 'mathvista',
    rule: 'auto',
    useJudge: true,
    openInstruction: MATH,
  }),
  define({
    name: 'mathverse',
    title: 'MathVerse',
    family: 'math',
    aliases: ['mathverse-mini', 'mathverse_mini'],
    categoryFields: ['problem_version', 'category', 'subfield'],
    vlmevalkit: 'mathverse',
    rule: 'math',
    useJudge: true,
    openInstruction: MATH,
  }),
  define({
    name: 'mathvision',
    title: 'MathVision',
    family: 'math',
    aliases: ['math-vision', 'mathvision-mini'],
    categoryFields: ['subject', 'category', 'level'],
    rule: 'math',
    useJudge: true,
    openInstruction: MATH,
  }),
  define({
    name: 'wemath',
    title: 'WeMath',
    family: 'math',
    aliases: ['we-math'],
    categoryFields: ['knowledge concept', 'category', 'key'],
    rule: 'auto',
  }),
  define({
    name: 'dynamath',
    title: 'DynaMath',
    family: 'math',
    categoryFields: ['subject', 'category', 'knowledge_level'],
    rule: 'math',
    useJudge: true,
    openInstruction: MATH,
  }),
  define({
    name: 'logicvista',
    title: 'LogicVista',
    family: 'math',
    aliases: ['logic-vista'],
    categoryFields: ['skill', 'category'],
    rule: 'auto',
    useJudge: true,
    openInstruction: MATH,
  }),
  define({
    name: 'fvqa',
    title: 'FVQA',
    family: 'search',
    categoryFields: ['category', 'source'],
    rule: 'short-answer',
    useJudge: true,
    openInstruction: SHORT,
  }),
  define({
    name: 'infoseek',
    title: 'InfoSeek',
    family: 'search',
    categoryFields: ['category', 'question_type'],
    rule: 'short-answer',
    useJudge: true,
    openInstruction: SHORT,
  }),
  define({
    name: 'mmsearch',
    title: 'MMSearch',
    family: 'search',
    categoryFields: ['category', 'subfield'],
    rule: 'short-answer',
    useJudge: true,
    openInstruction: SHORT,
  }),
  define({
    name: 'simplevqa',
    title: 'SimpleVQA',
    family: 'search',
    aliases: ['simple-vqa'],
    categoryFields: ['category', 'language'],
    rule: 'short-answer',
    useJudge: true,
    openInstruction: SHORT,
  }),
  define({
    name: 'custom',
    title: 'Custom',
    family: 'custom',
    aliases: ['generic'],
    rule: 'auto',
    useJudge: true,
  }),
];

const byName = new Map<string, BenchmarkDefinition>();
for (const definition of BENCHMARKS) {
  for (const key of [definition.name, ...definition.aliases]) byName.set(key.toLowerCase(), definition);
}

export function findBenchmark(name: string): BenchmarkDefinition {
  const definition = byName.get(name.trim().toLowerCase());
  if (!definition) {
    throw new UserError('unknown-benchmark', `Unknown benchmark "${name}"`, {
      hint: `known: ${BENCHMARKS.map((benchmark) => benchmark.name).join(', ')}`,
    });
  }
  return definition;
}
