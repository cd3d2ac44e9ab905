import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  codeResultSchema,
  readObservationRecords,
  type SandboxImage,
} from '../protocol/testing/golden-fixtures.js';
import {
  isAllWhite,
  prepareModelImage,
  prepareObservationImage,
  prepareObservationImages,
} from './prepare-model-image.js';
import { probeImage } from './probe-image.js';
import { type FixtureMode, makePng } from './testing/make-image.js';

const records = readObservationRecords();

async function sandboxBytes(image: SandboxImage): Promise<Uint8Array> {
  if ('raw' in image) return new TextEncoder().encode(image.raw);
  return makePng(image.png[0], image.png[1], image.color, image.mode as FixtureMode);
}

const codeResults = records
  .filter((record) => record.kind === 'code_result')
  .map((record) => codeResultSchema.parse(record))
  .flatMap((result) => {
    const output = result.sandbox_output;
    return output !== 'RAISE' && (output.images?.length ?? 0) > 0
      ? [{ result, images: output.images ?? [] }]
      : [];
  });

describe('observation images (observations.jsonl code_result)', () => {
  it.each(codeResults.map(({ result, images }) => [result.id, result, images] as const))(
    '%s: sizes the model receives',
    async (_id, result, images) => {
      const bytes = await Promise.all(images.map(sandboxBytes));

      const rl = await prepareObservationImages(bytes, {
        profile: 'upstream-rl',
        idFor: (index) => `rl-${index}`,
      });
      const rlExpected =
        typeof result.rl.observation === 'string' ? [] : result.rl.observation.multi_modal_data.image;
      expect(rl.map((image) => [image.width, image.height])).toEqual(rlExpected.map((image) => image.size));

      const evaluation = await prepareObservationImages(bytes, {
        profile: 'vlmevalkit',
        idFor: (index) => `eval-${index}`,
      });
      const sent = result.eval.messages?.[1]?.content;
      if (Array.isArray(sent)) {
        const sizes = sent.flatMap((part) =>
          part.type === 'image_url' && part.image_url.decoded ? [part.image_url.decoded.size] : [],
        );
        expect(evaluation.map((image) => [image.width, image.height])).toEqual(sizes);
        expect(evaluation.every((image) => image.mimeType === 'image/jpeg')).toBe(true);
      } else {
        // Upstream crashes encoding P and LA images as JPEG; deepeyes converts them.
        expect(result.eval.exception).toMatch(/cannot write mode (P|LA) as JPEG/);
        expect(evaluation.map((image) => [image.width, image.height])).toEqual([[84, 56]]);
      }
    },
  );

  it('keeps the picture when it needs no resizing (no re-encode)', async () => {
    const png = await makePng(120, 90, [200, 30, 30]);
    const image = await prepareObservationImage(png, 'a');
    expect(image.bytes).toBe(png);
    expect(image).toMatchObject({ id: 'a', mimeType: 'image/png', width: 120, height: 90 });
  });

  it('skips bytes that are not an image and keeps the rest in order', async () => {
    const good = await makePng(40, 40, [1, 2, 3]);
    const images = await prepareObservationImages([good, new TextEncoder().encode('not-base64!!'), good], {
      profile: 'deepeyesv2',
      idFor: (index) => `img-${index}`,
    });
    expect(images.map((image) => image.id)).toEqual(['img-0', 'img-1']);
  });

  it('recognises all-white pictures (every value ≥ 250) the evaluation agent drops', async () => {
    expect(await isAllWhite(await makePng(10, 10, [250, 251, 252]))).toBe(true);
    expect(await isAllWhite(await makePng(10, 10, [255, 255, 249]))).toBe(false);
  });
});

describe('input images (observations.jsonl eval_input_image)', () => {
  const inputs = records
    .filter((record) => record.kind === 'eval_input_image')
    .map((record) =>
      z
        .object({
          id: z.string(),
          original_size: z.tuple([z.number(), z.number()]),
          resized_copy_size: z.tuple([z.number(), z.number()]),
          image_part: z.object({
            image_url: z.object({
              decoded: z.object({ format: z.string(), size: z.tuple([z.number(), z.number()]) }),
            }),
          }),
        })
        .parse(record),
    );

  it.each(inputs.map((input) => [input.id, input] as const))('%s', async (_id, input) => {
    const png = await makePng(input.original_size[0], input.original_size[1], [90, 120, 200]);
    const evaluation = await prepareModelImage(png, { id: 'input-1', profile: 'vlmevalkit' });
    expect([evaluation.width, evaluation.height]).toEqual(input.image_part.image_url.decoded.size);
    expect(evaluation.mimeType).toBe('image/png');
    // deepeyesv2 sends the smart-resized picture itself (no extra 100-px enlargement).
    const ours = await prepareModelImage(png, { id: 'input-1' });
    expect([ours.width, ours.height]).toEqual(input.resized_copy_size);
    const probed = await probeImage(ours.bytes);
    expect([probed.width, probed.height]).toEqual(input.resized_copy_size);
  });

  it('honours the SFT pixel budget and re-encodes photos as JPEG', async () => {
    const jpeg = new Uint8Array(
      await (await import('sharp'))
        .default(await makePng(1000, 800, [10, 200, 10]))
        .jpeg()
        .toBuffer(),
    );
    const image = await prepareModelImage(jpeg, { id: 'x', maxPixels: 262144 });
    expect(image.mimeType).toBe('image/jpeg');
    expect(image.width * image.height).toBeLessThanOrEqual(262144);
    expect(image.width % 28).toBe(0);
    expect(image.height % 28).toBe(0);
  });
});
