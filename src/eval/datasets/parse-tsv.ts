/**
 * Tab-separated records as pandas writes them (`to_csv(sep='\t')`, VLMEvalKit's format): a field
 * holding a tab, newline or quote is wrapped in double quotes with inner quotes doubled.
 */

export type TsvRecord = { line: number; cells: string[] };

/** Splits text into records; `line` is the 1-based line where each record starts. */
export function parseTsv(text: string): TsvRecord[] {
  const records: TsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let atCellStart = true;
  let line = 1;
  let recordLine = 1;
  const length = text.length;
  for (let position = 0; position < length; position++) {
    const char = text[position]!;
    if (quoted) {
      if (char === '"') {
        if (text[position + 1] === '"') {
          cell += '"';
          position++;
        } else {
          quoted = false;
        }
      } else {
        if (char === '\n') line++;
        cell += char;
      }
      continue;
    }
    if (char === '"' && atCellStart) {
      quoted = true;
      atCellStart = false;
      continue;
    }
    if (char === '\t') {
      cells.push(cell);
      cell = '';
      atCellStart = true;
      continue;
    }
    if (char === '\n' || char === '\r') {
      if (char === '\r' && text[position + 1] === '\n') position++;
      cells.push(cell);
      if (!(cells.length === 1 && cells[0] === '')) records.push({ line: recordLine, cells });
      cells = [];
      cell = '';
      atCellStart = true;
      line++;
      recordLine = line;
      continue;
    }
    cell += char;
    atCellStart = false;
  }
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    records.push({ line: recordLine, cells });
  }
  return records;
}
