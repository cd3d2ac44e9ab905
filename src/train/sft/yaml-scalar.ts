/**
 * Flat YAML for LLaMA-Factory, which reads its config with PyYAML (YAML 1.1). PyYAML resolves a float
 * only when it has a dot (`1.0e-05`); `1e-05` — what JavaScript's `String(1e-5)` prints — stays a
 * string. So floats are always written with a dot and a signed two-digit exponent, like Python's repr.
 */
export type YamlValue = string | number | boolean | null;

export function formatYamlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} as a YAML number`);
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  // Python's repr switches to an exponent below 1e-4; so do we (String(1e-5) would print 0.00001).
  const small = value !== 0 && Math.abs(value) < 1e-4;
  const text = small ? value.toExponential() : String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-])(\d+)$/.exec(text);
  if (!match) return text.includes('.') ? text : `${text}.0`;
  const [, sign, whole, fraction, expSign, exponent] = match;
  return `${sign}${whole}.${fraction ?? '0'}e${expSign}${exponent!.padStart(2, '0')}`;
}

/** Words PyYAML 1.1 would read as booleans or null, and other text that needs quotes. */
const NEEDS_QUOTES =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|)$|^[-+.\d]|[:#{}[\],&*!|>'"%@`]|^\s|\s$/;

export function formatYamlScalar(value: YamlValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return formatYamlNumber(value);
  return NEEDS_QUOTES.test(value) ? JSON.stringify(value) : value;
}

/** Sections of `key: value` lines under `### title` comments, the layout of LLaMA-Factory's examples. */
export function renderSectionedYaml(sections: { title: string; entries: [string, YamlValue][] }[]): string {
  return sections
    .filter((section) => section.entries.length > 0)
    .map(
      (section) =>
        `### ${section.title}\n${section.entries.map(([key, value]) => `${key}: ${formatYamlScalar(value)}`).join('\n')}\n`,
    )
    .join('\n');
}

/** Reads `--set key=value` text as YAML 1.1 would: numbers, booleans, null, else a string. */
export function parseSetValue(text: string): YamlValue {
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (/^(?:null|Null|NULL|~)$/.test(text)) return null;
  if (/^[-+]?\d+$/.test(text)) return Number(text);
  if (/^[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?$/.test(text)) return Number(text);
  return text;
}
