// A small RFC 4180 CSV reader: quoted fields, doubled quotes inside them, commas and
// line breaks inside quotes, CRLF / LF / CR line ends, a leading byte-order mark, and a
// delimiter detected from the header line (comma, semicolon or tab; exports from
// spreadsheets in some locales use ";").

/**
 * An error with the package's `code` and `details`, so callers branch on the code as
 * they do for the core's errors.
 * @param {string} message @param {Record<string, unknown>} details
 */
export function inputInvalid(message, details) {
  return Object.assign(new Error(message), { code: "INPUT_INVALID", details });
}

/**
 * The delimiter the header line uses most, outside quotes.
 * @param {string} text
 * @returns {string}
 */
export function detectDelimiter(text) {
  /** @type {Record<string, number>} */
  const counts = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) break;
    else if (!quoted && c in counts) counts[c]++;
  }
  let best = ",";
  for (const d of [";", "\t"]) if (counts[d] > counts[best]) best = d;
  return best;
}

/**
 * Parses CSV text into rows of fields. Fully empty lines are dropped. An unterminated
 * quote is an error (with the line it opened on), not a silently merged record.
 * @param {string} text
 * @param {string} [delimiter] detected from the header line when absent
 * @returns {string[][]}
 */
export function parseCsv(text, delimiter) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const d = delimiter ?? detectDelimiter(text);
  /** @type {string[][]} */
  const rows = [];
  /** @type {string[]} */
  let row = [];
  let field = "";
  let i = 0;
  let line = 1;
  const n = text.length;
  const endRow = () => {
    row.push(field);
    field = "";
    if (!(row.length === 1 && row[0] === "")) rows.push(row);
    row = [];
  };
  while (i < n) {
    const c = text[i];
    if (c === '"' && field === "") {
      // A quoted field: runs to the next quote that is not doubled.
      const opened = line;
      i++;
      let start = i;
      let value = "";
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw inputInvalid(`CSV: the quote opened on line ${opened} is never closed`, { line: opened });
        value += text.slice(start, q);
        for (let k = i; k < q; k++) if (text[k] === "\n" || (text[k] === "\r" && text[k + 1] !== "\n")) line++;
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
          start = i;
          continue;
        }
        i = q + 1;
        break;
      }
      field = value;
      // Anything between the closing quote and the delimiter is kept, as spreadsheets do.
      while (i < n && text[i] !== d && text[i] !== "\n" && text[i] !== "\r") field += text[i++];
      continue;
    }
    if (c === d) {
      row.push(field);
      field = "";
      i++;
    } else if (c === "\r" || c === "\n") {
      endRow();
      line++;
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== "" || row.length > 0) endRow();
  return rows;
}
