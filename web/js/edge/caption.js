// Caption on this device: the image-classifier bundle (caption/efficientnet-lite0) with the
// preprocessing and phrasing of inference/classifier_captioner.py, so the browser names the
// same labels as the server: decode (no colour conversion, no EXIF rotation, like Pillow),
// centre square, Pillow's resampling (resize.js), float32 normalisation, top-k of the softmax.

import { createSession } from "./runtime.js";
import { resizeRgb } from "./resize.js";

const A_BEFORE = ["uni", "use", "usu", "ute", "eu", "one", "once", "ukulele"];
const AN_BEFORE = ["hour", "honest", "honor", "honour", "heir"];
const VOWEL_SOUND_LETTERS = new Set("AEFHILMNORSX");
const NOT_AN_IMAGE = "The content is not a JPEG, PNG or WebP image (checked by its bytes, never its name).";

export class ImageError extends Error {
  constructor(message) {
    super(message);
    this.name = "ImageError";
  }
}

function isUpperWord(word) {
  return word !== word.toLowerCase() && word === word.toUpperCase();
}

/** 'a' or 'an' by the sound of the label's first word (classifier_captioner.with_article). */
export function withArticle(label) {
  const words = label.trim().split(/\s+/u).filter(Boolean);
  const first = words.length ? words[0] : label;
  const lower = first.toLowerCase();
  let article;
  if (first.length > 1 && isUpperWord(first)) article = VOWEL_SOUND_LETTERS.has(first[0]) ? "an" : "a";
  else if (AN_BEFORE.some((prefix) => lower.startsWith(prefix))) article = "an";
  else if (A_BEFORE.some((prefix) => lower.startsWith(prefix))) article = "a";
  else article = "aeiou".includes(lower.slice(0, 1)) && lower.length > 0 ? "an" : "a";
  return `${article} ${label}`;
}

/** One sentence from labels ranked by probability (classifier_captioner.phrase_caption). */
export function phraseCaption(ranked, rules) {
  const [topLabel, topScore] = ranked[0];
  const named = [topLabel];
  for (const [label, score] of ranked.slice(1, 2)) {
    if (score >= rules.alternative_ratio * topScore && !named.includes(label)) named.push(label);
  }
  const labels = named.map(withArticle).join(" or ");
  const template = topScore >= rules.min_confidence ? rules.template : rules.uncertain_template;
  const sentence = template.replace("{labels}", labels);
  return sentence.slice(0, 1).toUpperCase() + sentence.slice(1);
}

function magicType(head) {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "image/jpeg";
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return "image/png";
  const text = String.fromCharCode(...head.slice(0, 12));
  if (text.startsWith("RIFF") && text.slice(8, 12) === "WEBP") return "image/webp";
  return "";
}

/** Packed RGB bytes of an image Blob, decoded as Pillow decodes it (checked by its bytes). */
export async function decodeRgb(blob) {
  const head = new Uint8Array(await blob.slice(0, 12).arrayBuffer());
  if (!magicType(head)) throw new ImageError(NOT_AN_IMAGE);
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob, {
      colorSpaceConversion: "none",
      premultiplyAlpha: "none",
      imageOrientation: "none",
    });
  } catch {
    throw new ImageError("The image could not be decoded completely.");
  }
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  return { rgb, width, height };
}

/** The largest centred square (classifier_captioner.center_square). */
function centerSquare({ rgb, width, height }) {
  const side = Math.min(width, height);
  const left = Math.floor((width - side) / 2);
  const top = Math.floor((height - side) / 2);
  if (side === width && side === height) return { rgb, width, height };
  const out = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    const from = ((top + y) * width + left) * 3;
    out.set(rgb.subarray(from, from + side * 3), y * side * 3);
  }
  return { rgb: out, width: side, height: side };
}

/** NCHW float32, computed in float32 like numpy: (pixel * rescale - mean) / std. */
export function toTensorData(image, spec) {
  const [outHeight, outWidth] = spec.size;
  const square = spec.crop === "center-square" ? centerSquare(image) : image;
  const rgb = resizeRgb(square.rgb, square.width, square.height, outWidth, outHeight, spec.resample);
  const f = Math.fround;
  const rescale = f(spec.rescale);
  const mean = spec.mean.map(f);
  const std = spec.std.map(f);
  const plane = outWidth * outHeight;
  const data = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      data[c * plane + i] = f(f(f(rgb[i * 3 + c] * rescale) - mean[c]) / std[c]);
    }
  }
  return data;
}

/** Probabilities in float64 from float32 logits (classifier_captioner.softmax). */
function softmax(logits) {
  let max = -Infinity;
  for (const value of logits) max = Math.max(max, value);
  const exp = Array.from(logits, (value) => Math.exp(value - max));
  const total = exp.reduce((a, b) => a + b, 0);
  return exp.map((value) => value / total);
}

export class Captioner {
  static async open(runtime, bundle) {
    const config = bundle.config;
    const labels = JSON.parse(new TextDecoder().decode(bundle.files[config.labels_file]));
    const session = await createSession(runtime, bundle.files[config.model_file]);
    return new Captioner(runtime, bundle.manifest, config, labels, session);
  }

  constructor(runtime, manifest, config, labels, session) {
    this.runtime = runtime;
    this.manifest = manifest;
    this.config = config;
    this.labels = labels;
    this.session = session;
  }

  static files(manifest) {
    return [manifest.config.model_file, manifest.config.labels_file];
  }

  async caption(blob) {
    const started = performance.now();
    const image = await decodeRgb(blob);
    const spec = this.config.preprocessing;
    const [height, width] = spec.size;
    const input = new this.runtime.Tensor("float32", toTensorData(image, spec), [1, 3, height, width]);
    const outputs = await this.session.run({ [this.config.input_name]: input });
    const probabilities = softmax(outputs[this.config.output_name].data);
    const order = probabilities.map((_, i) => i).sort((a, b) => probabilities[b] - probabilities[a] || a - b);
    const rules = this.config.caption;
    const ranked = order.slice(0, rules.top_k).map((i) => [this.labels[i], probabilities[i]]);
    return {
      caption: phraseCaption(ranked, rules),
      labels: ranked.map(([label, score]) => ({ label, score: Math.round(score * 1e4) / 1e4 })),
      ms: performance.now() - started,
    };
  }
}
