/**
 * The demo text corpus: encyclopedic passages about the fictional Vell Coast of Aldmark. Generated
 * from fixed lists with a seeded random source, so every cross-reference (a lighthouse's town, a
 * painting's artist and museum) points at a passage that exists.
 */
import { DEMO_PICTURES } from './pictures.js';

export type DemoPassage = { id: string; title: string; text: string; url: string; date?: string };

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(2024);
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
const between = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
const slug = (title: string) => title.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');
const url = (title: string) => `https://vellpedia.example/wiki/${slug(title)}`;

function uniqueNames(count: number, first: readonly string[], second: readonly string[], taken: Set<string>): string[] {
  const names: string[] = [];
  while (names.length < count) {
    const name = pick(first) + pick(second);
    if (!taken.has(name)) {
      taken.add(name);
      names.push(name);
    }
  }
  return names;
}

const taken = new Set<string>(['Kestrel']);
const TOWNS = uniqueNames(45, ['Salt', 'Gull', 'Ash', 'Wren', 'Mar', 'Kel', 'Bram', 'Tor', 'Hollin', 'Fen', 'Cor', 'Elm', 'Stor', 'Lind', 'Orm'], ['mere', 'by', 'wick', 'haven', 'stead', 'ford', 'holm', 'mouth', 'ton', 'ness'], taken);
const RIVERS = uniqueNames(30, ['Av', 'Dur', 'Sel', 'Tav', 'Lom', 'Riv', 'Carr', 'Hed', 'Mor', 'Ull'], ['en', 'ey', 'ow', 'ith', 'a', 'ine'], taken);
const ISLANDS = uniqueNames(25, ['Skar', 'Hol', 'Vig', 'Brenn', 'Ost', 'Tarn', 'Lyng', 'Mull'], ['ey', 'a', 'holm', 'sey', 'ay'], taken);
const PEOPLE_FIRST = ['Anna', 'Edvin', 'Greta', 'Lukas', 'Sigrid', 'Viktor', 'Elin', 'Matthias', 'Ruth', 'Henrik', 'Nora', 'Aksel', 'Ingrid', 'Bertil', 'Karin'];
const PEOPLE_LAST = ['Halden', 'Myrberg', 'Castell', 'Dunmore', 'Ekwall', 'Farrow', 'Gilmour', 'Hasse', 'Lindqvist', 'Morrow', 'Noring', 'Pell', 'Rask', 'Strand', 'Thorne'];
const MUSEUMS = ['Aldmark Maritime Museum', 'Vell Coast Gallery', 'Saltmere Art Hall', 'National Gallery of Aldmark', 'Harbour Museum of Marrow Sound'];
const DATES = ['Jan 12, 2021', 'Mar 3, 2022', 'Jun 30, 2020', 'Sep 18, 2023', 'Nov 2, 2019', 'Apr 21, 2024'];

export function buildDemoCorpus(): DemoPassage[] {
  const passages: DemoPassage[] = [];
  const add = (title: string, text: string, withDate = false) =>
    passages.push({ id: `vell-${String(passages.length + 1).padStart(4, '0')}`, title, text, url: url(title), ...(withDate ? { date: pick(DATES) } : {}) });

  // The passage the demo's text-search question is answered from. Nothing else states these facts.
  add(
    'Kestrel Point Lighthouse',
    'Kestrel Point Lighthouse is a lighthouse on the headland of Kestrel Point, at the northern entrance to Marrow Sound on the Vell Coast of Aldmark. ' +
      'The tower was designed by the harbour engineer Edvin Castell and was first lit in 1871. It is 34 metres tall, built of granite blocks quarried on Skarholm, ' +
      'and its white tower with a single red band makes it one of the most recognisable landmarks of the coast. The light was automated in 1974 and the former keepers\' cottages now house a small visitor centre. ' +
      'Each winter the Kestrel Point Lantern Festival is held at its foot.',
    true,
  );
  add(
    'Kestrel Head Beacon',
    'Kestrel Head Beacon is a small unmanned navigation light on Kestrel Head, a rocky spur south of Kestrel Point. It was lit in 1902 and its iron tower stands 18 metres tall. ' +
      'Visitors often confuse it with the much older tower across the bay.',
  );
  add(
    'Kestrel Point Lantern Festival',
    'The Kestrel Point Lantern Festival is held every December on the headland below the lighthouse at Kestrel Point. Fishing families carry paper lanterns along the cliff path and float them into Marrow Sound in memory of those lost at sea. ' +
      'A well-known poster for the 1952 festival shows the tower under a yellow sky.',
  );
  add(
    'Edvin Castell',
    'Edvin Castell (1829–1898) was an Aldmark harbour engineer. He designed breakwaters at several ports of the Vell Coast and the lighthouse at Kestrel Point, and later served as chief engineer of the Coastal Lights Board.',
  );

  // More lighthouses: plausible distractors with their own years and heights.
  for (let index = 0; index < 22; index += 1) {
    const town = TOWNS[index]!;
    // Never the Kestrel Point figures: the demo's answer must be unambiguous.
    let year = between(1820, 1930);
    if (year === 1871) year += 3;
    let height = between(12, 48);
    if (height === 34) height += 2;
    const builder = `${pick(PEOPLE_FIRST)} ${pick(PEOPLE_LAST)}`;
    add(
      `${town} Lighthouse`,
      `${town} Lighthouse stands on the breakwater of ${town} on the Vell Coast. It was first lit in ${year} and is ${height} metres tall. ` +
        `The tower was built by ${builder} for the Coastal Lights Board and is painted ${pick(['white', 'white and black', 'red and white', 'grey'])}. ` +
        `Its light can be seen ${between(10, 26)} nautical miles out to sea; it was automated in ${between(1950, 1995)}.`,
    );
  }

  // Paintings: one passage per demo picture, its artist and museum consistent with the image set.
  for (const picture of DEMO_PICTURES) {
    const match = /^(.*?) by (.*?) \((?:.*?, )?(\d{4})\)$/.exec(picture.title);
    if (!match) {
      const poster = picture.title.replace(/ \(\d{4}\)$/, '');
      const year = /\((\d{4})\)/.exec(picture.title)?.[1] ?? '1950';
      add(poster, `The ${poster} is a printed poster of ${year}. Its design uses ${pick(['flat colour', 'bold geometric shapes', 'a limited palette'])} and is now held by the ${pick(MUSEUMS)}.`);
      continue;
    }
    const [, title, artist, year] = match;
    const museum = pick(MUSEUMS);
    add(
      `${title} (painting)`,
      `${title} is a painting by ${artist}, completed in ${year}. ` +
        (picture.slug === 'the-amber-tide'
          ? 'Painted in oil on canvas, it shows the sea off Marrow Sound at evening as bands of amber, orange and gold waves under a pale sun. It has hung in the Aldmark Maritime Museum since 1961 and is the best known work of the Vell Coast school.'
          : `It is held by the ${museum} and measures ${between(40, 160)} by ${between(40, 200)} centimetres.`),
    );
  }
  const artists: Array<[string, string]> = [
    ['Mira Solberg', '(1891–1957) was an Aldmark painter of the Vell Coast school, known for sea paintings in warm colours such as The Amber Tide (1923), The North Swell (1925) and Crimson Sun over Vell Bay (1927). She lived most of her life in Saltmere.'],
    ['Tomas Arvel', '(1899–1972) was a painter of harbours and night scenes, including Quiet Harbour (1929), Harbour at Dusk (1931) and Moon over Marrow Sound (1934).'],
    ['Ilse Varn', '(1920–2001) was an abstract painter whose studies of rings and squares, among them Blue Rings and Nine Squares, influenced a generation of Aldmark artists.'],
    ['Jonas Reddick', '(1931–2010) was a painter of stripes and diagonals; Field of Stripes (1964) is his best known work.'],
    ['Halvard Onn', '(1870–1939) was a landscape painter of the northern ridges, known for The Grey Ridge (1908) and Winter Peaks (1912).'],
    ['Petra Lusk', '(1941–2019) was a painter and printmaker known for Violet Dots (1970) and Salt Blocks (1973).'],
    ['Oskar Fenn', '(1950–) is a painter of bright geometric compositions such as Brown Stripes (1979) and Pink Grid (1981).'],
  ];
  for (const [name, text] of artists) add(name, `${name} ${text}`);

  for (const museum of MUSEUMS) {
    add(museum, `The ${museum} is a museum on the Vell Coast, founded in ${between(1880, 1965)}. Its collection holds about ${between(2, 40) * 1000} objects, including paintings of the Vell Coast school and ship models.`);
  }
  for (const town of TOWNS) {
    add(
      town,
      `${town} is a ${pick(['fishing town', 'market town', 'harbour village', 'small port'])} on the Vell Coast of Aldmark with a population of about ${between(800, 42000)}. ` +
        `It lies at the mouth of the River ${pick(RIVERS)} and was granted a town charter in ${between(1150, 1700)}. Its economy rests on ${pick(['fishing', 'boatbuilding', 'tourism', 'salt making', 'ferry traffic'])}.`,
      next() < 0.3,
    );
  }
  for (const river of RIVERS) {
    add(`River ${river}`, `The River ${river} rises in the ${pick(['Grey Ridge', 'northern fells', 'Hollin moors'])} and flows ${between(14, 180)} kilometres to the sea at ${pick(TOWNS)}. It is ${pick(['navigable by small boats', 'known for salmon', 'crossed by seven bridges', 'tidal for its last ten kilometres'])}.`);
  }
  for (const island of ISLANDS) {
    add(island, `${island} is an island of ${between(1, 60)} square kilometres off the Vell Coast, ${between(3, 40)} kilometres from ${pick(TOWNS)}. It has ${pick(['a ferry pier', 'a seabird colony', 'a granite quarry', 'no permanent residents'])} and its highest point rises ${between(20, 310)} metres above the sea.`);
  }
  for (let index = 0; index < 35; index += 1) {
    const name = `MV ${pick(['North', 'Grey', 'Swift', 'Silver', 'Amber', 'Brave', 'Still', 'Morning'])} ${pick(['Gull', 'Tern', 'Skua', 'Petrel', 'Puffin', 'Heron', 'Swan', 'Plover'])} ${index + 1}`;
    add(name, `${name} is a ${pick(['ferry', 'fishing trawler', 'survey vessel', 'cargo coaster'])} built at ${pick(TOWNS)} in ${between(1950, 2015)}. She is ${between(18, 96)} metres long and serves the route between ${pick(TOWNS)} and ${pick(ISLANDS)}.`);
  }
  for (let index = 0; index < 25; index += 1) {
    const river = RIVERS[index % RIVERS.length]!;
    add(`${river} Bridge at ${TOWNS[index + 20]!}`, `The ${river} Bridge at ${TOWNS[index + 20]!} is a ${pick(['stone arch', 'steel truss', 'suspension', 'concrete'])} bridge opened in ${between(1780, 1999)}. Its main span is ${between(20, 420)} metres.`);
  }
  const birds = ['Vell tern', 'grey skua', 'cliff swift', 'Marrow shag', 'sand plover', 'ringed petrel', 'coast pipit', 'salt wren', 'black guillemot', 'moor curlew'];
  for (let index = 0; index < 30; index += 1) {
    const bird = `${birds[index % birds.length]!}${index >= birds.length ? ` (${['northern', 'southern'][Math.floor(index / birds.length) - 1]} race)` : ''}`;
    add(bird[0]!.toUpperCase() + bird.slice(1), `The ${bird} is a seabird of the Vell Coast with a wingspan of about ${between(30, 140)} centimetres. It nests on ${pick(['cliffs', 'shingle beaches', 'offshore islands', 'salt marshes'])} and its largest colony is on ${pick(ISLANDS)}.`);
  }
  for (let index = 0; index < 20; index += 1) {
    const town = TOWNS[(index * 7) % TOWNS.length]!;
    const festival = `${town} ${pick(['Herring Fair', 'Boat Race', 'Midsummer Market', 'Music Week', 'Harvest Feast'])}`;
    add(festival, `The ${festival} has been held every ${pick(['June', 'July', 'August', 'September'])} since ${between(1820, 1990)}. It draws about ${between(2, 60) * 1000} visitors.`, true);
  }
  for (let index = 0; index < 30; index += 1) {
    const town = TOWNS[index]!;
    add(`${town} railway station`, `${town} railway station is on the Vell Coast Railway, ${between(4, 240)} kilometres from the line's terminus at Saltmere. It opened in ${between(1850, 1910)} and has ${between(1, 4)} platforms.`);
  }
  for (let index = 0; index < 28; index += 1) {
    const name = `${PEOPLE_FIRST[index % PEOPLE_FIRST.length]!} ${PEOPLE_LAST[(index * 4 + 3) % PEOPLE_LAST.length]!}`;
    const born = between(1780, 1960);
    add(name, `${name} (${born}–${born + between(40, 95)}) was an Aldmark ${pick(['naturalist', 'shipbuilder', 'cartographer', 'poet', 'harbour master', 'schoolteacher'])} from ${pick(TOWNS)}, remembered for ${pick(['a survey of the coast', 'a book of sea ballads', 'a collection of bird eggs', 'the first tide tables of Marrow Sound'])}.`);
  }
  return passages;
}
