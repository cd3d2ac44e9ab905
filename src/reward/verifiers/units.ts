/** A unit we can convert: its dimension and its factor to that dimension's base unit. */
export type KnownUnit = { dimension: string; factor: number; canonical: string };

function unitsOf(dimension: string, entries: Array<[number, string, string[]]>): Array<[string, KnownUnit]> {
  return entries.flatMap(([factor, canonical, names]) =>
    [canonical, ...names].map((name): [string, KnownUnit] => [name, { dimension, factor, canonical }]),
  );
}

const UNITS = new Map<string, KnownUnit>([
  ...unitsOf('length', [
    [1, 'm', ['meter', 'meters', 'metre', 'metres']],
    [1000, 'km', ['kilometer', 'kilometers', 'kilometre', 'kilometres']],
    [0.01, 'cm', ['centimeter', 'centimeters', 'centimetre', 'centimetres']],
    [0.001, 'mm', ['millimeter', 'millimeters', 'millimetre', 'millimetres']],
    [0.3048, 'ft', ['foot', 'feet']],
    [0.0254, 'in', ['inch', 'inches']],
    [1609.344, 'mi', ['mile', 'miles']],
  ]),
  ...unitsOf('mass', [
    [1, 'kg', ['kilogram', 'kilograms', 'kilo', 'kilos']],
    [0.001, 'g', ['gram', 'grams']],
    [1000, 't', ['tonne', 'tonnes', 'ton', 'tons']],
    [0.45359237, 'lb', ['lbs', 'pound', 'pounds']],
  ]),
  ...unitsOf('time', [
    [1, 's', ['sec', 'secs', 'second', 'seconds']],
    [60, 'min', ['mins', 'minute', 'minutes']],
    [3600, 'h', ['hr', 'hrs', 'hour', 'hours']],
    [86400, 'd', ['day', 'days']],
    [604800, 'wk', ['week', 'weeks']],
    [31557600, 'yr', ['year', 'years']],
  ]),
  ...unitsOf('angle', [[1, '°', ['deg', 'degree', 'degrees', '^\\circ', '^{\\circ}']]]),
  ...unitsOf('area', [
    [1, 'm²', ['m^2', 'sq m', 'square meters', 'square metres']],
    [1e6, 'km²', ['km^2', 'sq km', 'square kilometers', 'square kilometres']],
    [1e-4, 'cm²', ['cm^2', 'square centimeters', 'square centimetres']],
  ]),
  ...unitsOf('speed', [
    [1, 'm/s', ['mps', 'meters per second', 'metres per second']],
    [1 / 3.6, 'km/h', ['kmh', 'kph', 'km/hr', 'kilometers per hour', 'kilometres per hour']],
    [0.44704, 'mph', ['miles per hour']],
  ]),
]);

/** The unit named by a suffix such as "metres", "km", "°"; undefined when we do not know it. */
export function lookupUnit(name: string): KnownUnit | undefined {
  const trimmed = name.trim();
  return UNITS.get(trimmed) ?? UNITS.get(trimmed.toLowerCase());
}
