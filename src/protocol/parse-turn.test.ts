import { describe, expect, it } from 'vitest';
import type { Action } from './action.js';
import { toRawContextAppend } from './chat-content.js';
import { extractRlTurnParts, normalizeAssistantTurn } from './extract-turn.js';
import { parseTurn } from './parse-turn.js';
import {
  renderCodeObservation,
  renderEmptyCodeObservation,
  renderImageSearchObservation,
  renderSearchObservation,
} from './render-observation.js';
import { type ParseCase, readParseCases } from './testing/golden-fixtures.js';

const cases = readParseCases();
const byId = new Map(cases.map((item) => [item.id, item]));

function golden(id: string): ParseCase {
  const item = byId.get(id);
  if (!item) throw new Error(`no parse fixture ${id}`);
  return item;
}

/** What upstream's RL environment did with the turn, as an Action (derived from the fixture's outputs). */
function upstreamRlAction(item: ParseCase): Action | 'runtime' {
  const { rl } = item;
  if (rl.exception !== null) return { kind: 'end', reason: 'empty-code-crash' };
  if (rl.extracted.answer) return { kind: 'answer', text: rl.extracted.answer };
  const search = rl.search_calls[0];
  if (rl.step?.done) {
    // The turn asked for something, but the sandbox / search itself failed (not a parse outcome).
    if (rl.sandbox_code_sent.length > 0) return { kind: 'code', code: rl.extracted.python_code ?? '' };
    if (search?.tool_name === 'image_search') return { kind: 'end', reason: 'search-error' };
    return 'runtime';
  }
  if (rl.sandbox_code_sent.length > 0) return { kind: 'code', code: rl.extracted.python_code ?? '' };
  if (
    search?.tool_name === 'search' &&
    typeof (search.tool_args as { query?: unknown } | null)?.query === 'string'
  ) {
    return { kind: 'search', query: (search.tool_args as { query: string }).query };
  }
  if (search?.tool_name === 'image_search' && !rl.step?.context_append?.includes('Error:'))
    return { kind: 'image-search' };
  return 'runtime';
}

/** The released placeholder search backend (`search_utils.search`): five fixed results. */
function placeholderHits(query: string) {
  return Array.from({ length: 5 }, (_, index) => ({
    title: `Placeholder Title ${index}`,
    link: `http://example.com/${index}`,
    snippet: `This is a placeholder snippet for query: ${query}`,
  }));
}

/** The crafted image-search cache entry for fvqa_train_0 in parse.jsonl. */
const CACHED_TITLES = ['Eiffel Tower - Wikipedia', 'Paris at night | Stock photo'];

describe('RL extraction', () => {
  it.each(cases.map((item) => [item.id, item] as const))(
    '%s: extracts what upstream extracts',
    (_id, item) => {
      expect(extractRlTurnParts(item.turn)).toEqual({
        answer: item.rl.extracted.answer,
        pythonCode: item.rl.extracted.python_code,
        toolCall: item.rl.extracted.tool_call,
      });
    },
  );
});

describe('upstream-rl profile reproduces the RL environment', () => {
  const decisive = cases.filter((item) => item.rl.finish_reason === 'stop');

  it.each(decisive.map((item) => [item.id, item] as const))('%s', (_id, item) => {
    const action = parseTurn(item.turn, { profile: 'upstream-rl', dataIndex: item.data_index });
    const expected = upstreamRlAction(item);
    if (expected !== 'runtime') {
      expect(action).toEqual(expected);
    } else if (item.rl.step?.done) {
      expect(action.kind).toBe('end');
    } else {
      // An error observation: the episode goes on with exactly upstream's text.
      expect(action.kind).toBe('tool-error');
      const observation = action.kind === 'tool-error' ? action.observation : '';
      expect(toRawContextAppend(observation)).toBe(item.rl.step?.context_append);
    }
  });

  it('ends a turn the token limit cut (no closed block) without running it', () => {
    expect(parseTurn(golden('code_finish_length').turn, { profile: 'upstream-rl' })).toEqual({
      kind: 'end',
      reason: 'code-block-unclosed',
    });
  });

  it('renders the observation the rollout appends after code and searches', () => {
    for (const item of decisive) {
      const action = parseTurn(item.turn, { profile: 'upstream-rl', dataIndex: item.data_index });
      const expected = item.rl.step?.context_append;
      if (expected == null) continue;
      if (action.kind === 'code') {
        const reply = item.sandbox_reply[0];
        if (reply === undefined || reply === 'RAISE') continue;
        const imageCount = reply.images?.length ?? 0;
        const text = renderCodeObservation(
          { stdout: reply.stdout ?? '', stderr: reply.stderr ?? '', imageCount },
          'upstream-rl',
        );
        expect(toRawContextAppend(text, imageCount), item.id).toBe(expected);
      } else if (action.kind === 'search') {
        expect(
          toRawContextAppend(renderSearchObservation(action.query, placeholderHits(action.query))),
          item.id,
        ).toBe(expected);
      } else if (action.kind === 'image-search') {
        const text = renderImageSearchObservation(CACHED_TITLES.map((title) => ({ title })));
        expect(toRawContextAppend(text, 2), item.id).toBe(expected);
      }
    }
  });

  it('leaks the data index into error texts, as upstream does', () => {
    expect(
      parseTurn(golden('tool_call_no_name').turn, { profile: 'upstream-rl', dataIndex: 'fvqa_train_7' }),
    ).toEqual({
      kind: 'tool-error',
      observation: "Error: 'name' for fvqa_train_7",
    });
  });
});

/** Where deepeyesv2 deliberately differs from upstream's RL environment (DESIGN.md, deliberate fixes). */
const PARAMETERS_ERROR = (call: string) =>
  `Error: Invalid tool call parameters for search: ${call}. Give the query as text: {"name": "search", "arguments": {"query": "..."}}.`;
const FORMAT_ERROR = (call: string) =>
  `Error: Invalid tool call format: ${call}. A tool call is a JSON object with a "name" and, if the tool takes any, "arguments".`;
const EMPTY_CODE = { kind: 'tool-error', observation: renderEmptyCodeObservation('deepeyesv2') } as const;
const DEEPEYESV2_FIXES: Record<string, Action> = {
  // Upstream crashes the rollout on a blank fence and silently ends on an empty one.
  code_whitespace_only: EMPTY_CODE,
  code_empty_line: EMPTY_CODE,
  // A whitespace-only answer is as empty as an empty one.
  answer_whitespace: { kind: 'end', reason: 'empty-answer' },
  // No data index, no Python exception text (TypeError/KeyError reprs) in what the model reads.
  search_query_list: {
    kind: 'tool-error',
    observation: PARAMETERS_ERROR('{"name": "search", "arguments": {"query": ["a", "b"]}}'),
  },
  search_query_int: {
    kind: 'tool-error',
    observation: PARAMETERS_ERROR('{"name": "search", "arguments": {"query": 1889}}'),
  },
  search_no_arguments: { kind: 'tool-error', observation: PARAMETERS_ERROR('{"name": "search"}') },
  search_arguments_no_query: {
    kind: 'tool-error',
    observation: PARAMETERS_ERROR('{"name": "search", "arguments": {"q": "x"}}'),
  },
  search_arguments_as_string: {
    kind: 'tool-error',
    observation: PARAMETERS_ERROR('{"name": "search", "arguments": "{\\"query\\": \\"x\\"}"}'),
  },
  tool_call_no_name: { kind: 'tool-error', observation: FORMAT_ERROR('{"arguments": {"query": "x"}}') },
  tool_call_json_list: {
    kind: 'tool-error',
    observation: FORMAT_ERROR('[{"name": "search", "arguments": {"query": "x"}}]'),
  },
  // Image search really searches (through the configured provider), whatever the item index.
  image_search_not_cached: { kind: 'image-search' },
  image_search_int_index: { kind: 'image-search' },
};

describe('deepeyesv2 profile: the RL environment with deliberate fixes', () => {
  const decisive = cases.filter((item) => item.rl.finish_reason === 'stop');

  it.each(decisive.map((item) => [item.id, item] as const))('%s', (id, item) => {
    const action = parseTurn(item.turn, { profile: 'deepeyesv2', dataIndex: item.data_index });
    const fix = DEEPEYESV2_FIXES[id];
    if (fix) {
      expect(action).toEqual(fix);
      return;
    }
    // Otherwise identical to upstream-rl, error texts included.
    expect(action).toEqual(parseTurn(item.turn, { profile: 'upstream-rl', dataIndex: item.data_index }));
  });

  it('never mentions the data index or a Python exception name in an error observation', () => {
    for (const item of cases) {
      const action = parseTurn(item.turn, { profile: 'deepeyesv2', dataIndex: item.data_index });
      if (action.kind !== 'tool-error') continue;
      expect(action.observation, item.id).not.toContain(String(item.data_index));
      expect(action.observation, item.id).not.toMatch(
        /TypeError|KeyError|NoneType|object is not subscriptable/,
      );
    }
  });
});

describe('vlmevalkit profile reproduces the evaluation agent', () => {
  it.each(cases.map((item) => [item.id, item] as const))('%s', (_id, item) => {
    const action = parseTurn(item.turn, { profile: 'vlmevalkit' });
    const { eval: evaluation } = item;
    const appended = evaluation.messages_appended_after_turn;
    if (evaluation.exception !== null && evaluation.sandbox_code_sent[0] === '') {
      // Blank extracted code crashes the item upstream.
      expect(action).toEqual({ kind: 'end', reason: 'empty-code-crash' });
    } else if (evaluation.exception !== null) {
      // The sandbox was unreachable: the turn itself is a code call.
      expect(action.kind).toBe('code');
    } else if (appended === null) {
      expect(action).toEqual({ kind: 'answer', text: evaluation.final_response });
    } else if (appended.length === 0) {
      // Dropped turn: the request is re-sent until the call limit, then the raw turn is the response.
      expect(action).toEqual({ kind: 'retry', finalResponse: evaluation.final_response });
    } else {
      expect(action.kind).toBe('code');
      expect(normalizeAssistantTurn(item.turn, 'vlmevalkit')).toBe(appended[0]?.content);
      const reply = item.sandbox_reply[0];
      if (reply === undefined || reply === 'RAISE') throw new Error('a code turn without a sandbox reply');
      const text = renderCodeObservation(
        { stdout: reply.stdout ?? '', stderr: reply.stderr ?? '', imageCount: reply.images?.length ?? 0 },
        'vlmevalkit',
      );
      const content = appended[1]?.content;
      expect(Array.isArray(content) ? content[0] : undefined).toEqual({ type: 'text', text });
    }
  });

  it('runs the first block and fence-less code where RL runs the last block or nothing', () => {
    expect(parseTurn(golden('code_two_blocks').turn, { profile: 'vlmevalkit' })).toEqual({
      kind: 'code',
      code: "print('first')",
    });
    expect(parseTurn(golden('code_two_blocks').turn, { profile: 'deepeyesv2' })).toEqual({
      kind: 'code',
      code: "print('second')",
    });
    expect(parseTurn(golden('code_no_fence').turn, { profile: 'vlmevalkit' })).toEqual({
      kind: 'code',
      code: 'print(1)',
    });
    expect(parseTurn(golden('code_no_fence').turn, { profile: 'deepeyesv2' })).toEqual({
      kind: 'end',
      reason: 'code-without-python-fence',
    });
  });
});

describe('tool sets', () => {
  it('answers a call to a tool the mode does not offer like an unknown tool', () => {
    const turn = golden('search_basic').turn;
    expect(
      parseTurn(turn, { profile: 'deepeyesv2', tools: { code: true, search: false, imageSearch: false } }),
    ).toEqual({
      kind: 'tool-error',
      observation:
        'Error: Invalid tool call name: {"name": "search", "arguments": {"query": "Eiffel Tower height"}}.',
    });
  });

  it('ends a code turn when the mode has no code tool, but still takes an answer', () => {
    const none = { code: false, search: false, imageSearch: false };
    expect(parseTurn(golden('code_basic').turn, { profile: 'deepeyesv2', tools: none })).toEqual({
      kind: 'end',
      reason: 'code-not-enabled',
    });
    expect(parseTurn(golden('answer_with_think').turn, { profile: 'deepeyesv2', tools: none })).toEqual({
      kind: 'answer',
      text: 'STOP',
    });
  });

  it('takes the reply as the answer in vlmevalkit think/direct modes', () => {
    const none = { code: false, search: false, imageSearch: false };
    expect(parseTurn('<think>x</think><answer> B </answer>', { profile: 'vlmevalkit', tools: none })).toEqual(
      {
        kind: 'answer',
        text: 'B',
      },
    );
    expect(parseTurn(' The answer is B. ', { profile: 'vlmevalkit', tools: none })).toEqual({
      kind: 'answer',
      text: 'The answer is B.',
    });
  });
});
