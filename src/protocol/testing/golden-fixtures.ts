import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Reads the upstream golden fixtures (test/fixtures/golden) for protocol and image tests. Only the
 * fields those tests use are validated; the README there describes them all.
 */
const GOLDEN_DIR = new URL('../../../test/fixtures/golden/', import.meta.url);

function readLines(name: string): unknown[] {
  return readFileSync(new URL(name, GOLDEN_DIR), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

const sandboxReply = z.object({
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  images: z.array(z.unknown()).optional(),
});
const step = z.object({
  done: z.boolean(),
  context_append: z.string().nullable(),
  context_append_images: z.number(),
});
const chatPart = z.union([
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({
    type: z.literal('image_url'),
    image_url: z.object({
      decoded: z.object({ format: z.string(), size: z.tuple([z.number(), z.number()]) }).optional(),
    }),
  }),
]);
const chatMessage = z.object({ role: z.string(), content: z.union([z.string(), z.array(chatPart)]) });

export const parseCaseSchema = z.object({
  id: z.string(),
  turn: z.string(),
  data_index: z.union([z.string(), z.number()]),
  sandbox_reply: z.array(z.union([sandboxReply, z.literal('RAISE')])),
  rl: z.object({
    finish_reason: z.string(),
    extracted: z.object({
      answer: z.string().nullable(),
      python_code: z.string().nullable(),
      tool_call: z.string().nullable(),
    }),
    sandbox_code_sent: z.array(z.string()),
    search_calls: z.array(z.object({ tool_name: z.string(), tool_args: z.unknown() })),
    step: step.nullable(),
    exception: z.string().nullable(),
  }),
  eval: z.object({
    model_calls: z.number(),
    sandbox_code_sent: z.array(z.string()),
    messages_appended_after_turn: z.array(chatMessage).nullable(),
    final_response: z.string().nullable(),
    exception: z.string().nullable(),
  }),
});
export type ParseCase = z.infer<typeof parseCaseSchema>;

export function readParseCases(): ParseCase[] {
  return readLines('parse.jsonl').map((line) => parseCaseSchema.parse(line));
}

export type ObservationRecord = { kind: string; id: string } & Record<string, unknown>;

export function readObservationRecords(): ObservationRecord[] {
  return readLines('observations.jsonl').map((line) =>
    z.object({ kind: z.string(), id: z.string() }).passthrough().parse(line),
  ) as ObservationRecord[];
}

export const sandboxImageSchema = z.union([
  z.object({
    png: z.tuple([z.number(), z.number()]),
    color: z.union([z.array(z.number()), z.number()]),
    mode: z.string(),
  }),
  z.object({ raw: z.string() }),
]);
export type SandboxImage = z.infer<typeof sandboxImageSchema>;

export const codeResultSchema = z.object({
  id: z.string(),
  sandbox_output: z.union([
    z.literal('RAISE'),
    z.object({
      stdout: z.string().optional(),
      stderr: z.string().optional(),
      images: z.array(sandboxImageSchema).optional(),
    }),
  ]),
  rl: z.object({
    observation: z.union([
      z.string(),
      z.object({
        prompt: z.string(),
        multi_modal_data: z.object({
          image: z.array(z.object({ size: z.tuple([z.number(), z.number()]), mode: z.string() })),
        }),
      }),
    ]),
    step,
  }),
  eval: z.object({ messages: z.array(chatMessage).nullable(), exception: z.string().nullable() }),
});

export const textSearchSchema = z.object({
  id: z.string(),
  turn: z.string(),
  backend_result: z.union([z.string(), z.object({ data: z.array(z.record(z.string(), z.unknown())) })]),
  rl: z.object({
    observation: z.unknown(),
    step,
    search_calls: z.array(z.object({ tool_args: z.unknown() })),
  }),
});

export const imageSearchSchema = z.object({
  id: z.string(),
  data_index: z.string(),
  cache_entry_titles: z.array(z.string()).nullable(),
  rl: z.object({ observation: z.unknown(), step }),
});
