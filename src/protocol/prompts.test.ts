import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { AGENT_MODES, toolSetForMode } from './action.js';
import { parseTurn } from './parse-turn.js';
import { fillUserTemplate, loadPromptFiles } from './prompt-template.js';
import { buildPrompt, defaultSystemPrompt } from './prompts.js';

const EXAMPLE_BLOCK = /<(code|tool_call)>\n[\s\S]*?\n<\/\1>/g;

describe('prompts carry DeepEyesV2’s tag formats', () => {
  it('agent mode shows code, image search and search calls that parse to those actions', () => {
    const system = defaultSystemPrompt('agent') ?? '';
    const examples = Array.from(system.matchAll(EXAMPLE_BLOCK), (match) => match[0]);
    expect(examples).toHaveLength(3);
    const actions = examples.map(
      (example) => parseTurn(`<think>plan</think>\n${example}`, { profile: 'deepeyesv2' }).kind,
    );
    expect(actions).toEqual(['code', 'image-search', 'search']);
    expect(system).toContain('```python');
    expect(system).toContain('`image_1`');
    expect(system).toContain('<answer> </answer>');
    expect(system).toContain('<think> </think>');
  });

  it('code mode offers code only, like the released evaluation harness', () => {
    const system = defaultSystemPrompt('code') ?? '';
    expect(system).toContain('<code>\n```python\n');
    expect(system).not.toContain('<tool_call>');
  });

  it('each mode’s examples use only tools the mode enables', () => {
    for (const mode of AGENT_MODES) {
      const system = defaultSystemPrompt(mode) ?? '';
      for (const [example] of system.matchAll(EXAMPLE_BLOCK)) {
        const action = parseTurn(example, { profile: 'deepeyesv2', tools: toolSetForMode(mode) });
        expect(['code', 'search', 'image-search'], `${mode}: ${example}`).toContain(action.kind);
      }
    }
  });

  it('puts the question first in the user text and asks for <answer>', () => {
    for (const mode of AGENT_MODES) {
      const prompt = buildPrompt({ mode, question: 'What colour is the sign?', imageCount: 1 });
      expect(prompt.user.startsWith('What colour is the sign?')).toBe(true);
      if (mode !== 'direct') expect(prompt.user).toContain('<answer>');
    }
    expect(buildPrompt({ mode: 'direct', question: 'Q', imageCount: 1 }).user).toBe('Q');
  });

  it('uses the exact texts it is given, and no system message for an empty one', () => {
    const prompt = buildPrompt({
      mode: 'agent',
      question: 'Q?',
      imageCount: 1,
      systemPrompt: 'SYS',
      userTemplate: 'A {question} B {question}',
    });
    expect(prompt).toEqual({ system: 'SYS', user: 'A Q? B Q?' });
    expect(buildPrompt({ mode: 'agent', question: 'Q', imageCount: 1, systemPrompt: '' })).not.toHaveProperty(
      'system',
    );
  });
});

describe('user templates', () => {
  it('fills {question} and {original_text} and leaves other braces alone', () => {
    expect(fillUserTemplate('{original_text} then {"name": "search"} {{x}}', 'Q')).toBe(
      'Q then {"name": "search"} {{x}}',
    );
  });
});

describe('loadPromptFiles', () => {
  it('reads files as Python text mode does (BOM dropped, CRLF to LF)', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'deepeyes-prompts-'));
    await writeFile(join(folder, 'system.md'), '\ufeffLine one\r\nLine two\r\n');
    await writeFile(join(folder, 'user.txt'), '{question}\r\n\r\nAnswer in <answer> </answer>.');
    const loaded = await loadPromptFiles({
      systemPromptFile: join(folder, 'system.md'),
      userTemplateFile: join(folder, 'user.txt'),
    });
    expect(loaded).toEqual({
      systemPrompt: 'Line one\nLine two\n',
      userTemplate: '{question}\n\nAnswer in <answer> </answer>.',
    });
  });

  it('refuses a user template without a question placeholder', async () => {
    const failure = await loadPromptFiles({ userTemplateFile: 'user.txt' }, async () => 'Answer it.').catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as UserError).code).toBe('prompt-template-invalid');
  });

  it('says which file it could not read', async () => {
    const failure = await loadPromptFiles({ systemPromptFile: '/nonexistent/system.md' }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as UserError).message).toContain('/nonexistent/system.md');
  });
});
