/**
 * A deterministic synthetic corpus for search benchmarks: a Zipf-distributed vocabulary whose most
 * frequent ranks are real English function words (as in real text, where they dominate counts and
 * are dropped from queries), then pronounceable pseudo-words.
 */

/** Small fast seeded PRNG (mulberry32): same seed, same corpus, on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FUNCTION_WORDS = (
  'the of and to in a is that for it as was with be by on not he this are or his from at which but have an ' +
  'they you were her she there been one all we their has would when if so no will more its about up what out ' +
  'can who into them than some these then other only also two may first after over such could most where'
).split(' ');

const ONSETS = [
  'b',
  'c',
  'd',
  'f',
  'g',
  'h',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'z',
  'br',
  'st',
  'tr',
  'gl',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou'];
const CODAS = ['', 'n', 'r', 's', 'l', 'th', 'nd', 'x'];

export type Vocabulary = { words: string[]; cumulative: Float64Array };

/** `size` words with Zipf weights 1/rank^exponent; the first ranks are English function words. */
export function makeVocabulary(size: number, exponent = 1.05, seed = 7): Vocabulary {
  const random = seededRandom(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const words = [...FUNCTION_WORDS];
  const seen = new Set(words);
  while (words.length < size) {
    const syllables = 2 + Math.floor(random() * 3);
    let word = '';
    for (let index = 0; index < syllables; index += 1) word += pick(ONSETS) + pick(VOWELS);
    word += pick(CODAS);
    if (!seen.has(word)) {
      seen.add(word);
      words.push(word);
    }
  }
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let rank = 0; rank < size; rank += 1) {
    total += 1 / (rank + 1) ** exponent;
    cumulative[rank] = total;
  }
  for (let rank = 0; rank < size; rank += 1) cumulative[rank]! /= total;
  return { words, cumulative };
}

/** One word drawn by Zipf weight (binary search over the cumulative weights). */
export function drawWord(vocabulary: Vocabulary, random: () => number): string {
  const target = random();
  let low = 0;
  let high = vocabulary.cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (vocabulary.cumulative[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return vocabulary.words[low]!;
}

export type SyntheticPassage = { id: string; title: string; text: string; url: string };

/** Passages `start … start+count-1` of the corpus with this seed: 3–6 word titles, 40–120 word texts. */
export function* syntheticPassages(
  vocabulary: Vocabulary,
  start: number,
  count: number,
  seed = 11,
): Generator<SyntheticPassage> {
  for (let index = start; index < start + count; index += 1) {
    const random = seededRandom(seed * 1_000_003 + index);
    const titleLength = 3 + Math.floor(random() * 4);
    const textLength = 40 + Math.floor(random() * 81);
    const title: string[] = [];
    for (let word = 0; word < titleLength; word += 1) title.push(drawWord(vocabulary, random));
    const text: string[] = [];
    for (let word = 0; word < textLength; word += 1) text.push(drawWord(vocabulary, random));
    yield {
      id: `p${index}`,
      title: title.join(' '),
      text: `${text.join(' ')}.`,
      url: `https://synthetic.example/p${index}`,
    };
  }
}

/**
 * Queries as a user would write them about a passage: 2–4 content words taken from one passage
 * (title and text alike), and in half of them a function word too ("history of …"), which the
 * engine must drop. Pure function-word queries ("of the") are not generated: nobody searches them,
 * and BM25 over a posting list holding every passage is slow in any engine without WAND.
 */
export function syntheticQueries(
  vocabulary: Vocabulary,
  passageCount: number,
  count: number,
  seed = 23,
): string[] {
  const random = seededRandom(seed);
  const functionWords = new Set(FUNCTION_WORDS);
  const queries: string[] = [];
  while (queries.length < count) {
    const target = Math.floor(random() * passageCount);
    const [passage] = syntheticPassages(vocabulary, target, 1);
    const candidates = `${passage!.title} ${passage!.text.replace('.', '')}`
      .split(' ')
      .filter((word) => !functionWords.has(word));
    if (candidates.length < 2) continue;
    const length = 2 + Math.floor(random() * 3);
    const words: string[] = [];
    for (let word = 0; word < length; word += 1)
      words.push(candidates[Math.floor(random() * candidates.length)]!);
    if (random() < 0.5) words.splice(1, 0, FUNCTION_WORDS[Math.floor(random() * 10)]!);
    queries.push(words.join(' '));
  }
  return queries;
}
