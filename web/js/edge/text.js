// Text rules shared by translate and speak, as inference/text.py applies them on the server:
// NFC and trimming, sentence splitting, long sentences cut into chunks. Python's notion of
// whitespace, lowercase and letters is used, and lengths count code points, as Python's do.

const SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const SPACES = new RegExp(`[${SPACE}]+`, "u");
const LEADING = new RegExp(`^[${SPACE}]+`, "u");
const TRAILING = new RegExp(`[${SPACE}]+$`, "u");
const SENTENCE_END = new RegExp(`([.!?…]+["')\\]»”]*)[${SPACE}]+`, "gu");
const ABBREVIATIONS = new Set(
  "mr mrs ms dr prof sr sra jr st vs etc e.g i.e no fig approx dept inc ltd co av u.s a.m p.m".split(" "),
);

export class TextError extends Error {
  constructor(message, allowed) {
    super(message);
    this.name = "TextError";
    this.allowed = allowed;
  }
}

/** str.strip() */
export function strip(text) {
  return text.replace(LEADING, "").replace(TRAILING, "");
}

/** str.split() */
export function words(text) {
  return strip(text).split(SPACES).filter(Boolean);
}

function codePoints(text) {
  return Array.from(text);
}

/** text.require_text: NFC, stripped, not empty, at most maxChars code points. */
export function requireText(text, maxChars) {
  const cleaned = strip(String(text).normalize("NFC"));
  if (!cleaned) throw new TextError("'text' is empty.", { min_chars: 1, max_chars: maxChars });
  const length = codePoints(cleaned).length;
  if (length > maxChars) {
    throw new TextError(`'text' has ${length} characters; at most ${maxChars} are accepted.`, { max_chars: maxChars });
  }
  return cleaned;
}

function continues(sentence, punctuation, following) {
  if (/^\p{Lowercase}/u.test(following)) return true;
  const all = words(sentence);
  const last = all.length
    ? all[all.length - 1].replace(/\.+$/u, "").toLowerCase().replace(/^["'(«“]+/u, "")
    : "";
  const isAbbreviation = ABBREVIATIONS.has(last) || (codePoints(last).length === 1 && /^\p{L}$/u.test(last));
  return punctuation.startsWith(".") && !punctuation.startsWith("..") && isAbbreviation;
}

/** text.split_sentences */
export function splitSentences(text) {
  const sentences = [];
  let start = 0;
  for (const match of text.matchAll(SENTENCE_END)) {
    const end = match.index + match[1].length;
    const after = match.index + match[0].length;
    if (continues(text.slice(start, end), match[1], text.slice(after))) continue;
    const sentence = strip(text.slice(start, end));
    if (sentence) sentences.push(sentence);
    start = after;
  }
  const tail = strip(text.slice(start));
  if (tail) sentences.push(tail);
  return sentences;
}

function rfind(points, needle, end) {
  for (let i = end - needle.length; i >= 0; i--) {
    if (needle.every((ch, j) => points[i + j] === ch)) return i;
  }
  return -1;
}

/** text.chunk_sentences: no chunk longer than maxChars code points. */
export function chunkSentences(sentences, maxChars) {
  const chunks = [];
  for (const sentence of sentences) {
    let points = codePoints(sentence);
    while (points.length > maxChars) {
      let cut = Math.max(rfind(points, [",", " "], maxChars), rfind(points, [" "], maxChars));
      cut = cut > 0 ? cut : maxChars;
      chunks.push(strip(points.slice(0, cut + 1).join("")));
      points = codePoints(strip(points.slice(cut + 1).join("")));
    }
    if (points.length) chunks.push(points.join(""));
  }
  return chunks;
}
