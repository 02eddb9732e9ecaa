// The models of the "on this device" mode, in a module worker so the page stays responsive.
// Messages: {id, op, args} -> {id, progress} ... then {id, ok: true, result} or
// {id, ok: false, error: {name, message, allowed}}. Operations: load, caption, translate, speak.
// The worker (and the ~100 KB of libraries it imports) starts only when the mode is used.

import { loadBundle, missingBytes } from "./assets.js";
import { Captioner } from "./caption.js";
import { Espeak } from "./phonemize.js";
import { fetchOffer, plan } from "./plan.js";
import { onnxruntime, threadCount } from "./runtime.js";
import { Speaker } from "./speak.js";
import { Translator } from "./translate.js";

const MODELS = {
  caption: { open: (rt, bundle) => Captioner.open(rt, bundle), files: Captioner.files },
  translate: { open: (rt, bundle) => Translator.open(rt, bundle), files: Translator.files },
  speak: {
    open: async (rt, bundle, index, options) => Speaker.open(rt, bundle, await Espeak.open(index.vendor.espeak, options)),
    files: Speaker.files,
  },
};

const loaded = {}; // task -> Promise of the model
let index = null;

async function currentIndex() {
  if (!index) index = await fetchOffer();
  return index;
}

function wasmEntry(vendor, name) {
  return { url: vendor.base + name, size: vendor.files[name].size };
}

async function load({ tasks: wanted }, progress) {
  const started = performance.now();
  const offer = await currentIndex();
  const planned = plan(offer);
  const tasks = (wanted || Object.keys(MODELS)).filter((task) => planned[task].device);
  const pending = tasks.filter((task) => !loaded[task]);
  // Manifests first (small): they say which files, how large, and their sha256.
  const manifests = await Promise.all(pending.map((task) => loadBundle(offer.bundles[task], [])));
  const needed = pending.map((task, i) => MODELS[task].files(manifests[i].manifest));
  const entries = [wasmEntry(offer.vendor.ort, "ort-wasm-simd-threaded.wasm")];
  if (pending.includes("speak")) entries.push(wasmEntry(offer.vendor.espeak, "espeak-ng.wasm"));
  pending.forEach((task, i) => {
    for (const name of needed[i]) {
      entries.push({ url: offer.bundles[task].base + name, size: manifests[i].manifest.files[name]?.size || 0 });
    }
  });
  const total = await missingBytes(entries);
  let received = 0;
  const onBytes = (count) => {
    received += count;
    progress({ received, total });
  };
  const runtimeStarted = performance.now();
  const runtime = await onnxruntime(offer.vendor.ort, { onBytes });
  // Where the time goes: files (download or cache, SHA-256) and opening (sessions, espeak).
  const timings = { runtime_ms: performance.now() - runtimeStarted };
  pending.forEach((task, i) => {
    loaded[task] = (async () => {
      const filesStarted = performance.now();
      const bundle = await loadBundle(offer.bundles[task], needed[i], { onBytes });
      const openStarted = performance.now();
      const model = await MODELS[task].open(runtime, bundle, offer, { onBytes });
      timings[task] = { files_ms: openStarted - filesStarted, open_ms: performance.now() - openStarted };
      return model;
    })();
    loaded[task].catch(() => delete loaded[task]);
  });
  await Promise.all(tasks.map((task) => loaded[task]));
  return {
    tasks,
    plan: planned,
    total_bytes: total,
    received_bytes: received,
    threads: threadCount(),
    timings,
    ms: performance.now() - started,
  };
}

async function model(task) {
  if (!loaded[task]) await load({ tasks: [task] }, () => {});
  return loaded[task];
}

const OPS = {
  load,
  caption: async ({ image }) => (await model("caption")).caption(image),
  translate: async ({ text, numBeams }) => (await model("translate")).translate(text, { numBeams }),
  speak: async ({ text, language, scales }) => (await model("speak")).speak(text, { language, scales }),
};

self.addEventListener("message", async (event) => {
  const { id, op, args } = event.data || {};
  const progress = (value) => self.postMessage({ id, progress: value });
  try {
    if (!OPS[op]) throw new Error(`unknown operation ${op}`);
    const result = await OPS[op](args || {}, progress);
    const transfer = result?.wav instanceof ArrayBuffer ? [result.wav] : [];
    self.postMessage({ id, ok: true, result }, transfer);
  } catch (error) {
    self.postMessage({
      id,
      ok: false,
      error: { name: error?.name || "Error", message: String(error?.message || error), allowed: error?.allowed },
    });
  }
});
