import type { CurationItem } from '../curation-item.js';
import type { CurationStore } from '../store/curation-store.js';
import type { ImageStore } from '../store/image-store.js';
import { patternImage } from './make-curation-sample.js';

/**
 * A finished `clean` stage of `count` kept perception items (ids i0, i1, …, answer "1"), so a test
 * can start at the rollout stages. `pictureOf(index)` picks each item's pattern picture: one shared
 * picture by default, or one per item.
 */
export async function seedCleanStage(
  store: CurationStore,
  images: ImageStore,
  count: number,
  pictureOf: (index: number) => number = () => 1,
): Promise<CurationItem[]> {
  const items: CurationItem[] = [];
  const stored = new Map<number, CurationItem['images'][number]>();
  store.beginStage('clean', {});
  for (let index = 0; index < count; index++) {
    const picture = pictureOf(index);
    let image = stored.get(picture);
    if (!image) {
      image = await images.put(await patternImage(picture));
      stored.set(picture, image);
    }
    const item: CurationItem = {
      id: `i${index}`,
      source: 's',
      category: 'perception',
      answerType: 'number',
      question: `Q${index}`,
      answer: '1',
      images: [image],
      origin: { file: 'f', row: index + 1 },
    };
    items.push(item);
    store.putStageItem('clean', {
      id: item.id,
      position: index,
      status: 'kept',
      reason: null,
      detail: null,
      data: item,
    });
  }
  store.finishStage('clean');
  return items;
}
