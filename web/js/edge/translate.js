// Translation on this device: the Bergamot bundle (translate/bergamot-tiny-en-pt) decoded
// exactly as inference/bergamot.py does: the sentence's lexical shortlist, UNK never produced,
// at most ceil(max_length_factor x source tokens) target tokens, greedy or Marian-style beam
// search. Tokenization: the bundle's tokenizer.json through @huggingface/tokenizers.

import { Tokenizer } from "/edge/vendor/tokenizers/tokenizers.min.mjs";
import { readNpz } from "./npz.js";
import { createSession, int64Tensor } from "./runtime.js";
import { chunkSentences, requireText, splitSentences, strip } from "./text.js";

const MAX_TRANSLATE_CHARS = 5000;
const MAX_SENTENCE_CHARS = 400;

/** Marian's shortlist (bergamot.LexicalShortlist.select): sorted candidate target ids. */
export class Shortlist {
  constructor(npz, vocabSize, padToMultiple) {
    this.offsets = npz.offsets.data; // BigInt64Array
    this.words = npz.words.data; // Uint16Array
    this.first = Number(npz.first.data[0]);
    this.vocabSize = vocabSize;
    this.padToMultiple = padToMultiple;
  }

  select(sourceIds) {
    const chosen = new Uint8Array(this.vocabSize);
    chosen.fill(1, 0, this.first);
    for (const word of new Set(sourceIds)) {
      if (word + 1 < this.offsets.length) {
        const from = Number(this.offsets[word]);
        const to = Number(this.offsets[word + 1]);
        for (let i = from; i < to; i++) chosen[this.words[i]] = 1;
      }
    }
    let count = chosen.reduce((a, b) => a + b, 0);
    let missing = (((-count) % this.padToMultiple) + this.padToMultiple) % this.padToMultiple;
    for (let id = this.first; missing > 0 && id < this.vocabSize; id++) {
      if (!chosen[id]) {
        chosen[id] = 1;
        missing--;
        count++;
      }
    }
    const ids = [];
    for (let id = 0; id < this.vocabSize; id++) if (chosen[id]) ids.push(id);
    return ids;
  }
}

function argmax(row) {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

export class Translator {
  static files(manifest) {
    const config = manifest.config;
    return [config.graphs.encoder, config.graphs.decoder_step, config.graphs.weights, config.shortlist.file, "tokenizer.json"];
  }

  static async open(runtime, bundle) {
    const config = bundle.config;
    const graphs = config.graphs;
    const weights = bundle.files[graphs.weights];
    // Weights are int8 behind DequantizeLinear: like the server (bergamot.create_bergamot_session),
    // QDQ handling is off so they are folded into float once, at load.
    const options = {
      extra: { session: { disable_quant_qdq: "1" } },
      externalData: [{ path: graphs.weights, data: weights }],
    };
    const encoder = await createSession(runtime, bundle.files[graphs.encoder], options);
    const decoder = await createSession(runtime, bundle.files[graphs.decoder_step], options);
    const tokenizer = new Tokenizer(JSON.parse(new TextDecoder().decode(bundle.files["tokenizer.json"])), {});
    const npz = readNpz(bundle.files[config.shortlist.file]);
    const shortlist = new Shortlist(npz, Number(config.architecture.vocab_size), Number(config.shortlist.pad_to_multiple));
    return new Translator(runtime, bundle.manifest, encoder, decoder, tokenizer, shortlist);
  }

  constructor(runtime, manifest, encoder, decoder, tokenizer, shortlist) {
    const config = manifest.config;
    this.runtime = runtime;
    this.manifest = manifest;
    this.encoder = encoder;
    this.decoder = decoder;
    this.tokenizer = tokenizer;
    this.shortlist = shortlist;
    this.layers = Number(config.graphs.decoder_layers);
    this.dim = Number(config.architecture.dim);
    this.eosId = Number(config.special_tokens.eos_id);
    this.unkId = Number(config.special_tokens.unk_id);
    this.maxLengthFactor = Number(config.decoding.max_length_factor);
    this.lengthNormalization = Number(config.decoding.length_normalization);
  }

  /** translation.BaseTranslator.translate: sentences, each translated alone, joined. */
  async translate(text, { numBeams = 1 } = {}) {
    const started = performance.now();
    const cleaned = requireText(text, MAX_TRANSLATE_CHARS);
    const sentences = chunkSentences(splitSentences(cleaned), MAX_SENTENCE_CHARS);
    const outputs = [];
    for (const sentence of sentences) outputs.push(strip(await this.translateSentence(sentence, numBeams)));
    return { translation: outputs.filter(Boolean).join(" "), sentences: sentences.length, ms: performance.now() - started };
  }

  async translateSentence(sentence, numBeams = 1) {
    const sourceIds = Array.from(this.tokenizer.encode(sentence, { add_special_tokens: false }).ids);
    if (!sourceIds.length) return "";
    sourceIds.push(this.eosId);
    const maxSteps = Math.ceil(this.maxLengthFactor * sourceIds.length);
    const feed = await this.encode(sourceIds);
    const target = numBeams === 1 ? await this.greedy(feed, maxSteps) : await this.beamSearch(feed, maxSteps, numBeams);
    return this.tokenizer.decode(target, { skip_special_tokens: true });
  }

  async encode(sourceIds) {
    const ids = int64Tensor(this.runtime, sourceIds, [1, sourceIds.length]);
    const mask = int64Tensor(this.runtime, sourceIds.map(() => 1), [1, sourceIds.length]);
    const out = await this.encoder.run({ input_ids: ids, attention_mask: mask });
    const candidates = this.shortlist.select(sourceIds);
    const feed = { encoder_mask: mask, shortlist: int64Tensor(this.runtime, candidates, [candidates.length]) };
    for (let i = 1; i <= this.layers; i++) {
      feed[`cross_keys_l${i}`] = out[`cross_keys_l${i}`];
      feed[`cross_values_l${i}`] = out[`cross_values_l${i}`];
    }
    return { feed, candidates, unkColumn: candidates.indexOf(this.unkId) };
  }

  zeroStates(rows) {
    return Array.from({ length: this.layers }, () => new this.runtime.Tensor("float32", new Float32Array(rows * this.dim), [rows, this.dim]));
  }

  /** One decoder step for `rows` hypotheses: log-probabilities per row (UNK masked), new states. */
  async step(sentence, fixed, prev, step, states) {
    const feed = { ...fixed, prev_tokens: int64Tensor(this.runtime, prev, [prev.length]), step: int64Tensor(this.runtime, [step], [1]) };
    states.forEach((state, i) => {
      feed[`state_l${i + 1}`] = state;
    });
    const out = await this.decoder.run(feed);
    const logProbs = out.log_probs.data;
    const width = sentence.candidates.length;
    if (sentence.unkColumn >= 0) {
      for (let row = 0; row < prev.length; row++) logProbs[row * width + sentence.unkColumn] = -Infinity;
    }
    const newStates = Array.from({ length: this.layers }, (_, i) => out[`new_state_l${i + 1}`]);
    return { logProbs, width, states: newStates };
  }

  async greedy(sentence, maxSteps) {
    let states = this.zeroStates(1);
    let prev = [0]; // ignored at step 0 (zero start embedding)
    const target = [];
    for (let step = 0; step < maxSteps; step++) {
      const out = await this.step(sentence, sentence.feed, prev, step, states);
      states = out.states;
      const word = sentence.candidates[argmax(out.logProbs.subarray(0, out.width))];
      if (word === this.eosId) break;
      target.push(word);
      prev = [word];
    }
    return target;
  }

  normalized(score, length) {
    return this.lengthNormalization ? score / length ** this.lengthNormalization : score;
  }

  /** bergamot._beam_search: a finished hypothesis leaves the beam, which shrinks. */
  async beamSearch(sentence, maxSteps, beam) {
    let hyps = { tokens: [[]], scores: [0], states: this.zeroStates(1) };
    const finished = [];
    for (let step = 0; step < maxSteps; step++) {
      const rows = hyps.tokens.length;
      const fixed = this.tiled(sentence.feed, rows);
      const prev = hyps.tokens.map((t) => (t.length ? t[t.length - 1] : this.eosId));
      const out = await this.step(sentence, fixed, prev, step, hyps.states);
      const { ended, survivors } = this.extend(hyps, out, sentence.candidates, beam - finished.length, step === maxSteps - 1);
      finished.push(...ended);
      if (!survivors.length || finished.length >= beam) break;
      hyps = {
        tokens: survivors.map((s) => s.tokens),
        scores: survivors.map((s) => s.score),
        states: out.states.map((state) => this.rowsOf(state, survivors.map((s) => s.parent))),
      };
    }
    if (!finished.length) return [];
    return finished.reduce((best, item) => (item.score > best.score ? item : best)).tokens;
  }

  extend(hyps, out, candidates, width, lastStep) {
    const totals = new Float32Array(hyps.tokens.length * out.width);
    hyps.tokens.forEach((_, row) => {
      for (let c = 0; c < out.width; c++) totals[row * out.width + c] = Math.fround(hyps.scores[row] + out.logProbs[row * out.width + c]);
    });
    const order = Array.from(totals.keys()).sort((a, b) => totals[b] - totals[a] || a - b).slice(0, width);
    const ended = [];
    const survivors = [];
    for (const flat of order) {
      const score = totals[flat];
      if (!Number.isFinite(score)) continue;
      const parent = Math.floor(flat / out.width);
      const word = candidates[flat % out.width];
      const tokens = [...hyps.tokens[parent], word];
      if (word === this.eosId) ended.push({ score: this.normalized(score, tokens.length), tokens: tokens.slice(0, -1) });
      else if (lastStep) ended.push({ score: this.normalized(score, tokens.length), tokens });
      else survivors.push({ parent, tokens, score });
    }
    return { ended, survivors };
  }

  /** The per-sentence decoder inputs repeated for `rows` hypotheses. */
  tiled(feed, rows) {
    if (rows === 1) return feed;
    const out = { ...feed };
    for (const [key, tensor] of Object.entries(feed)) {
      if (key.startsWith("cross_") || key === "encoder_mask") out[key] = this.repeatRows(tensor, rows);
    }
    return out;
  }

  repeatRows(tensor, rows) {
    const size = tensor.data.length;
    const data = new tensor.data.constructor(size * rows);
    for (let r = 0; r < rows; r++) data.set(tensor.data, r * size);
    return new this.runtime.Tensor(tensor.type, data, [tensor.dims[0] * rows, ...tensor.dims.slice(1)]);
  }

  rowsOf(tensor, parents) {
    const width = tensor.dims[1];
    const data = new Float32Array(parents.length * width);
    parents.forEach((parent, i) => data.set(tensor.data.subarray(parent * width, (parent + 1) * width), i * width));
    return new this.runtime.Tensor("float32", data, [parents.length, width]);
  }
}
