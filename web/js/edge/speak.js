// Speech on this device: the Piper VITS bundle run by onnxruntime-web, phonemes from espeak-ng
// in wasm (phonemize.js), as inference/synthesizer.py does: sentences (long ones in chunks),
// each sentence through VITS on its own, joined by a short silence, 16-bit PCM WAV.

import { phonemeIds, phonemizeSentences, rewritePhonemes } from "./phonemize.js";
import { createSession, int64Tensor } from "./runtime.js";
import { chunkSentences, requireText, splitSentences, TextError } from "./text.js";

const MAX_SPEAK_CHARS = 3000;
const MAX_CHUNK_CHARS = 400;
const SENTENCE_SILENCE_S = 0.2;
const PCM_MAX = 32767;

/** RIFF/WAVE bytes, 16-bit PCM mono (inference/wav.to_wav_bytes). */
export function wavBytes(samples, sampleRate) {
  const buffer = new ArrayBuffer(44 + samples.length * 2);
  const view = new DataView(buffer);
  const text = (at, value) => [...value].forEach((ch, i) => view.setUint8(at + i, ch.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((sample, i) => {
    const value = Number.isNaN(sample) ? 0 : Math.min(1, Math.max(-1, sample));
    // numpy rounds half to even; Math.round rounds half up: one LSB apart at most.
    view.setInt16(44 + i * 2, Math.round(value * PCM_MAX), true);
  });
  return buffer;
}

export class Speaker {
  static files(manifest) {
    return [manifest.config.model_file, manifest.config.phoneme_id_map_file];
  }

  static async open(runtime, bundle, espeak) {
    const session = await createSession(runtime, bundle.files[bundle.config.model_file]);
    const idMap = JSON.parse(new TextDecoder().decode(bundle.files[bundle.config.phoneme_id_map_file]));
    return new Speaker(runtime, bundle.manifest, session, idMap, espeak);
  }

  constructor(runtime, manifest, session, idMap, espeak) {
    const config = manifest.config;
    const inference = config.inference || {};
    this.runtime = runtime;
    this.manifest = manifest;
    this.session = session;
    this.idMap = idMap;
    this.espeak = espeak;
    this.sampleRate = Number(config.sample_rate);
    this.voices = config.languages || {};
    this.rewrites = config.phoneme_rewrites || {};
    this.scales = [inference.noise_scale ?? 0.667, inference.length_scale ?? 1.0, inference.noise_w ?? 0.8];
    this.silenceS = config.sentence_silence_s ?? inference.sentence_silence_s ?? SENTENCE_SILENCE_S;
  }

  async speak(text, { language = "pt-BR", scales } = {}) {
    const started = performance.now();
    const cleaned = requireText(text, MAX_SPEAK_CHARS);
    const voice = this.voices[language];
    if (!voice) throw new TextError(`Language '${language}' is not supported by this voice.`, Object.keys(this.voices));
    const chunks = chunkSentences(splitSentences(cleaned), MAX_CHUNK_CHARS);
    const phonemizeStarted = performance.now();
    const phonemes = (await phonemizeSentences(this.espeak, chunks, voice))
      .filter(Boolean)
      .map((p) => rewritePhonemes(p, this.rewrites[voice]));
    const phonemizeMs = performance.now() - phonemizeStarted;
    if (!phonemes.length) throw new TextError("'text' has nothing that can be spoken (no letters or digits).");
    const pieces = [];
    const silence = new Float32Array(Math.trunc(this.sampleRate * this.silenceS));
    for (const [index, sentence] of phonemes.entries()) {
      if (index) pieces.push(silence);
      pieces.push(await this.runIds(phonemeIds(sentence, this.idMap), scales || this.scales));
    }
    const length = pieces.reduce((total, piece) => total + piece.length, 0);
    const audio = new Float32Array(length);
    let at = 0;
    for (const piece of pieces) {
      audio.set(piece, at);
      at += piece.length;
    }
    return {
      wav: wavBytes(audio, this.sampleRate),
      duration_s: length / this.sampleRate,
      sample_rate: this.sampleRate,
      phonemes,
      phonemize_ms: phonemizeMs,
      ms: performance.now() - started,
    };
  }

  async runIds(ids, scales) {
    const feeds = {
      input: int64Tensor(this.runtime, ids, [1, ids.length]),
      input_lengths: int64Tensor(this.runtime, [ids.length], [1]),
      scales: new this.runtime.Tensor("float32", Float32Array.from(scales), [3]),
    };
    if (this.session.inputNames.includes("sid")) feeds.sid = int64Tensor(this.runtime, [0], [1]);
    const out = await this.session.run(feeds);
    return Float32Array.from(out[this.session.outputNames[0]].data);
  }
}
