// Text -> Piper phoneme ids on this device, as inference/phonemize.py does on the server, with
// the same espeak-ng PROGRAM (its command line, compiled to wasm: npm `espeak-ng`, GPL-3.0,
// an optional asset loaded at run time from /edge/vendor/espeak-ng/, never bundled into this
// code). Sentences are split into clauses, all clauses go to ONE espeak-ng run (one paragraph
// each), and the clause punctuation is put back the way piper-phonemize does.

import { verifiedBytes } from "./assets.js";
import { words } from "./text.js";

const BOS = "^";
const EOS = "$";
const PAD = "_";
const CLAUSE_END = /([,;:]|[.!?…]+)["')\]»”]*(?=[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]|$)/gu;
const LANGUAGE_SWITCH = /\([a-z]{2,3}(?:-[a-z0-9]+)*\)/g;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;
const VOICE_NAME = /^[a-z]{2,3}(?:-[a-z0-9]+)*$/;
const PRONOUNCEABLE = /[\p{L}\p{N}]/u;

export class PhonemizerError extends Error {
  constructor(message) {
    super(message);
    this.name = "PhonemizerError";
  }
}

function mark(punctuation) {
  if (",;:".includes(punctuation)) return punctuation;
  if (punctuation.includes("?")) return "?";
  return punctuation.includes("!") ? "!" : ".";
}

/** phonemize.split_clauses: [{text, mark}] of one sentence. */
export function splitClauses(sentence) {
  const clean = words(sentence.replace(CONTROL, " ")).join(" ");
  const clauses = [];
  let start = 0;
  for (const match of clean.matchAll(CLAUSE_END)) {
    clauses.push({ text: clean.slice(start, match.index).trim(), mark: mark(match[1]) });
    start = match.index + match[0].length;
  }
  const tail = clean.slice(start).trim();
  if (tail) clauses.push({ text: tail, mark: "" });
  return clauses.filter((clause) => PRONOUNCEABLE.test(clause.text));
}

/** espeak-ng compiled to wasm: compiled once, one instance (one program run) per call. */
export class Espeak {
  static async open(vendor, options = {}) {
    const wasm = vendor.files["espeak-ng.wasm"];
    const { bytes } = await verifiedBytes(vendor.base + "espeak-ng.wasm", wasm.sha256, { size: wasm.size, ...options });
    const module = await WebAssembly.compile(bytes);
    const { default: factory } = await import(new URL(vendor.base + "espeak-ng.js", self.location.origin).href);
    return new Espeak(factory, module);
  }

  constructor(factory, module) {
    this.factory = factory;
    this.module = module;
  }

  /** What `espeak-ng -q -b 1 --ipa -v voice` writes for this input. */
  async run(input, voice) {
    if (!VOICE_NAME.test(voice)) throw new PhonemizerError(`invalid espeak-ng voice name ${JSON.stringify(voice)}`);
    const errors = [];
    const instance = await this.factory({
      arguments: ["-q", "-b", "1", "--ipa", "-v", voice, "-f", "/input.txt", "--phonout", "/output.txt"],
      preRun: [(m) => m.FS.writeFile("/input.txt", input)],
      instantiateWasm: (imports, done) => {
        WebAssembly.instantiate(this.module, imports).then((made) => done(made));
        return {};
      },
      print: () => {},
      printErr: (line) => errors.push(line),
    });
    try {
      return instance.FS.readFile("/output.txt", { encoding: "utf8" });
    } catch {
      throw new PhonemizerError(`espeak-ng -v ${voice} wrote nothing: ${errors.join(" ")}`);
    }
  }

  /** Phonemes of each text, one paragraph each (phonemize._espeak_paragraphs). */
  async paragraphs(texts, voice) {
    const output = await this.run(texts.join("\n\n"), voice);
    const trimmed = output.replace(/^\n+|\n+$/g, "");
    // The Debian program separates paragraphs by an empty line; this build writes one line
    // per paragraph. Either way one group per clause, else one run per clause (the
    // server's fallback too).
    let groups = trimmed.split(/\n[ \t]*\n/).filter((p) => p.trim());
    if (groups.length !== texts.length) groups = trimmed.split("\n").filter((p) => p.trim());
    if (groups.length !== texts.length && texts.length > 1) {
      groups = [];
      for (const text of texts) groups.push((await this.paragraphs([text], voice)).join(" "));
      return groups;
    }
    return groups.map((p) => words(p).join(" ").replace(LANGUAGE_SWITCH, ""));
  }
}

/** phonemize.phonemize_sentences: the Piper phoneme string of each sentence. */
export async function phonemizeSentences(espeak, sentences, voice) {
  const perSentence = sentences.map(splitClauses);
  const all = perSentence.flat();
  if (!all.length) return sentences.map(() => "");
  const groups = await espeak.paragraphs(all.map((clause) => clause.text), voice);
  let next = 0;
  return perSentence.map((clauses) => {
    const parts = [];
    clauses.forEach((clause, index) => {
      parts.push(groups[next++]);
      const last = index === clauses.length - 1;
      if (clause.mark && ",;:".includes(clause.mark)) parts.push(clause.mark + " ");
      else if (clause.mark) parts.push(last ? clause.mark : clause.mark + " ");
      else if (!last) parts.push(" ");
    });
    return parts.join("").trim();
  });
}

/** A voice's ordered [pattern, replacement] regex rewrites (manifest config.phoneme_rewrites). */
export function rewritePhonemes(phonemes, rewrites) {
  let text = phonemes.normalize("NFD");
  for (const [pattern, replacement] of rewrites || []) {
    const expression = new RegExp(pattern.normalize("NFD"), "gu");
    const value = replacement.normalize("NFD");
    text = text.replace(expression, () => value);
  }
  return text;
}

/** Piper's ids: BOS PAD (phoneme PAD)* EOS; phonemes missing from the map are skipped. */
export function phonemeIds(phonemes, idMap) {
  const ids = [...idMap[BOS], ...idMap[PAD]];
  for (const phoneme of phonemes.normalize("NFD")) {
    if (Object.hasOwn(idMap, phoneme)) ids.push(...idMap[phoneme], ...idMap[PAD]);
  }
  ids.push(...idMap[EOS]);
  return ids;
}
