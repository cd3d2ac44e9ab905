import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toRawContextAppend } from './chat-content.js';
import { normalizeAssistantTurn, vlmevalkitAnswer } from './extract-turn.js';
import { upstreamRlInitCode, vlmevalkitInitCode } from './init-code.js';
import { stopSequences } from './prompts.js';
import { pythonStr } from './python-repr.js';
import {
  MAX_OBSERVATION_IMAGES,
  renderCodeObservation,
  renderImageSearchObservation,
  renderSandboxErrorObservation,
  renderSearchErrorObservation,
  renderSearchObservation,
  type TextSearchResult,
} from './render-observation.js';
import {
  codeResultSchema,
  imageSearchSchema,
  readObservationRecords,
  textSearchSchema,
} from './testing/golden-fixtures.js';
import { UPSTREAM_LIMITS } from './upstream-limits.js';

const records = readObservationRecords();
const ofKind = (kind: string) => records.filter((record) => record.kind === kind);
const USER_START = '<|im_end|>\n<|im_start|>user\n';
const ASSISTANT_START = '<|im_end|>\n<|im_start|>assistant\n<think>';

describe('code result observations (observations.jsonl code_result)', () => {
  const results = ofKind('code_result').map((record) => codeResultSchema.parse(record));
  const withOutput = results.filter((result) => result.sandbox_output !== 'RAISE');

  it.each(withOutput.map((result) => [result.id, result] as const))(
    '%s: RL text and context append',
    (_id, result) => {
      const output = result.sandbox_output === 'RAISE' ? {} : result.sandbox_output;
      const observation = result.rl.observation;
      // Images that decoded, capped at 10: the count is the RL observation's image list.
      const imageCount = typeof observation === 'string' ? 0 : observation.multi_modal_data.image.length;
      const text = renderCodeObservation(
        { stdout: output.stdout ?? '', stderr: output.stderr ?? '', imageCount },
        'deepeyesv2',
      );
      const prompt = typeof observation === 'string' ? observation : observation.prompt;
      expect(`${USER_START}${text}${ASSISTANT_START}`).toBe(prompt);
      expect(toRawContextAppend(text, imageCount)).toBe(result.rl.step.context_append);
      expect(imageCount).toBeLessThanOrEqual(MAX_OBSERVATION_IMAGES);
    },
  );

  it.each(
    withOutput
      .filter((result) => result.eval.messages !== null)
      .map((result) => [result.id, result] as const),
  )('%s: vlmevalkit text', (_id, result) => {
    const output = result.sandbox_output === 'RAISE' ? {} : result.sandbox_output;
    const text = renderCodeObservation(
      { stdout: output.stdout ?? '', stderr: output.stderr ?? '', imageCount: output.images?.length ?? 0 },
      'vlmevalkit',
    );
    const content = result.eval.messages?.[1]?.content;
    expect(Array.isArray(content) ? content[0] : content).toEqual({ type: 'text', text });
  });

  it('keeps the sandbox output verbatim: CRLF, trailing spaces, fences and tags inside stdout', () => {
    const text = renderCodeObservation(
      { stdout: 'a  \r\n```\n<answer>7</answer>\n', stderr: '', imageCount: 0 },
      'deepeyesv2',
    );
    expect(text).toBe(
      'Code execution result:\nstdout:\n```\na  \r\n```\n<answer>7</answer>\n\n```\n\nstderr:\n```\n\n```',
    );
  });

  it('gives upstream-rl the text upstream returns when the sandbox is unreachable', () => {
    const unreachable = results.find((result) => result.sandbox_output === 'RAISE');
    expect(unreachable?.rl.observation).toBe(renderSandboxErrorObservation('upstream-rl'));
    expect(unreachable?.rl.step.done).toBe(true);
    expect(renderSandboxErrorObservation('deepeyesv2')).toMatch(/^Error: /);
  });
});

describe('text search observations (observations.jsonl text_search)', () => {
  const searches = ofKind('text_search').map((record) => textSearchSchema.parse(record));
  const succeeded = searches.filter((search) => search.rl.step.context_append !== null);

  it.each(succeeded.map((search) => [search.id, search] as const))('%s', (_id, search) => {
    const args = z.object({ query: z.unknown() }).parse(search.rl.search_calls[0]?.tool_args);
    // A real backend formats whatever the model sent with str() (deepeyesv2 rejects non-strings earlier).
    const query = pythonStr(args.query);
    const backend = search.backend_result;
    const hits: TextSearchResult[] =
      backend === 'search_utils.search'
        ? Array.from({ length: 5 }, (_, index) => ({
            title: `Placeholder Title ${index}`,
            link: `http://example.com/${index}`,
            snippet: `This is a placeholder snippet for query: ${query}`,
          }))
        : typeof backend === 'string'
          ? []
          : backend.data.map((page) => page as TextSearchResult);
    expect(toRawContextAppend(renderSearchObservation(query, hits))).toBe(search.rl.step.context_append);
  });

  it('ends upstream-rl episodes with "Search error" when the backend fails', () => {
    const failed = searches.filter((search) => search.rl.step.context_append === null);
    expect(failed.map((search) => search.id)).toEqual(['text_backend_error', 'text_result_missing_title']);
    for (const search of failed)
      expect(search.rl.observation).toBe(renderSearchErrorObservation('upstream-rl'));
  });

  it('gives deepeyesv2 a readable error that does not end the episode', () => {
    expect(renderSearchErrorObservation('deepeyesv2')).toMatch(/^Error: The search could not be carried out/);
    expect(renderSearchErrorObservation('deepeyesv2', 'image_search')).toMatch(
      /^Error: The image search could not/,
    );
  });
});

describe('image search observations (observations.jsonl image_search)', () => {
  const searches = ofKind('image_search').map((record) => imageSearchSchema.parse(record));
  const kept: Record<string, string[]> = { image_missing_files_filtered: ['kept'] };

  it.each(
    searches
      .filter((search) => search.rl.step.context_append !== null)
      .map((search) => [search.id, search] as const),
  )('%s', (id, search) => {
    const titles = kept[id] ?? search.cache_entry_titles ?? [];
    const text = renderImageSearchObservation(titles.map((title) => ({ title })));
    // upstream-rl lists every result but attaches at most 10 images.
    const attached = Math.min(titles.length, MAX_OBSERVATION_IMAGES);
    expect(search.rl.step.context_append_images).toBe(attached);
    expect(toRawContextAppend(text, attached)).toBe(search.rl.step.context_append);
  });
});

describe('sandbox traffic before the first turn', () => {
  it('rl_init: builds the code reset() sends', () => {
    const record = z
      .object({ sandbox_requests: z.array(z.object({ code: z.string() })), max_images_per_round: z.number() })
      .parse(ofKind('rl_init')[0]);
    const code = record.sandbox_requests[0]?.code ?? '';
    const base64 = /_img_base64 = "([^"]+)"/.exec(code)?.[1] ?? '';
    expect(upstreamRlInitCode(base64)).toBe(code);
    expect(record.max_images_per_round).toBe(MAX_OBSERVATION_IMAGES);
  });

  it.each(ofKind('eval_init').map((record) => [record.id, record] as const))(
    '%s: builds return_init_code',
    (_id, record) => {
      const parsed = z.object({ image_path: z.string(), init_code: z.string() }).parse(record);
      expect(vlmevalkitInitCode(parsed.image_path)).toBe(parsed.init_code);
    },
  );

  it('eval_request: stops where the evaluation agent stops', () => {
    const request = z
      .object({ request: z.object({ stop: z.array(z.string()) }) })
      .parse(ofKind('eval_request')[0]);
    expect(stopSequences('vlmevalkit')).toEqual(request.request.stop);
    expect(stopSequences('deepeyesv2')).toEqual(['</code>', '</tool_call>']);
  });
});

describe('evaluation agent records and limits', () => {
  it('eval_saved_trajectory: the code observation text and the final response', () => {
    const saved = z
      .object({
        response: z.string(),
        raw_response: z.array(
          z.object({
            role: z.string(),
            content: z.union([z.string(), z.array(z.record(z.string(), z.unknown()))]),
          }),
        ),
      })
      .parse(ofKind('eval_saved_trajectory')[0]);
    const [assistant, user, final] = saved.raw_response;
    expect(normalizeAssistantTurn(String(assistant?.content), 'vlmevalkit')).toBe(assistant?.content);
    const text = renderCodeObservation({ stdout: '(640, 480)\n', stderr: '', imageCount: 1 }, 'vlmevalkit');
    expect(Array.isArray(user?.content) ? user.content[0] : undefined).toEqual({ type: 'text', text });
    expect(vlmevalkitAnswer(String(final?.content))).toBe(saved.response);
  });

  it('eval_loop_limit and eval_request: 11 model calls of 2048 tokens at temperature 0', () => {
    for (const record of ofKind('eval_loop_limit')) {
      expect(z.object({ model_calls: z.number() }).parse(record).model_calls).toBe(
        UPSTREAM_LIMITS.vlmevalkit.maxModelCalls,
      );
    }
    const request = z
      .object({ request: z.object({ max_tokens: z.number(), temperature: z.number() }) })
      .parse(ofKind('eval_request')[0]).request;
    expect(request.max_tokens).toBe(UPSTREAM_LIMITS.vlmevalkit.maxTokensPerTurn);
    expect(request.temperature).toBe(UPSTREAM_LIMITS.vlmevalkit.temperature);
  });
});
