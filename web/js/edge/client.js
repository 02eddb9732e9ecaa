// The page's side of the "on this device" mode: can this device run the models, the worker
// that runs them (worker.js), and the pipeline steps that call it (same shape as steps.js).

import { serverCaption, serverSpeak, serverTranslate } from "../steps.js";
import { fetchOffer, plan as planFor } from "./plan.js";

// The smallest module using a SIMD instruction (i8x16.splat): valid only where wasm SIMD is.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);
// navigator.deviceMemory (GB, rounded; Chromium only). Below 2 GB the server is the better
// place for three models and their wasm memory (a judgement: docs/edge.md "Limits").
export const MIN_DEVICE_MEMORY_GB = 2;

/** {ok, reasons[]}: whether this browser can run the models (wasm SIMD, workers, enough memory). */
export function deviceSupport() {
  const reasons = [];
  if (typeof WebAssembly !== "object" || !WebAssembly.validate(SIMD_PROBE)) reasons.push("simd");
  if (typeof Worker !== "function" || typeof OffscreenCanvas !== "function") reasons.push("worker");
  if (!("caches" in self) || !crypto?.subtle) reasons.push("storage");
  const memory = navigator.deviceMemory;
  if (typeof memory === "number" && memory < MIN_DEVICE_MEMORY_GB) reasons.push("memory");
  return { ok: reasons.length === 0, reasons, memoryGb: memory ?? null, isolated: self.crossOriginIsolated === true };
}

export class DeviceError extends Error {
  constructor({ name, message, allowed }) {
    super(message);
    this.name = name === "AbortError" ? "AbortError" : "DeviceError";
    this.kind = name;
    this.allowed = allowed;
  }
}

/** The worker that holds the models; call(op, args, onProgress) -> Promise of its result. */
export class DeviceEngine {
  constructor() {
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.next = 0;
    this.pending = new Map();
    this.worker.addEventListener("message", (event) => this.receive(event.data));
    this.worker.addEventListener("error", (event) => this.failAll(event.message || "the on-device worker failed to start"));
  }

  receive(message) {
    const call = this.pending.get(message.id);
    if (!call) return;
    if (message.progress) {
      call.onProgress?.(message.progress);
      return;
    }
    this.pending.delete(message.id);
    if (message.ok) call.resolve(message.result);
    else call.reject(new DeviceError(message.error));
  }

  failAll(message) {
    for (const call of this.pending.values()) call.reject(new DeviceError({ name: "WorkerError", message }));
    this.pending.clear();
  }

  call(op, args = {}, onProgress) {
    return new Promise((resolve, reject) => {
      const id = ++this.next;
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, op, args });
    });
  }
}

/** {plan, threads}: which stages run here with this server's bundles (no worker needed). */
export async function devicePlan() {
  const offer = await fetchOffer();
  const threads = self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
  return { plan: planFor(offer), threads };
}

let engine = null;
export function deviceEngine() {
  engine ??= new DeviceEngine();
  return engine;
}

/** Loading (or finding in this browser's cache) the models: the first stage of a device run. */
function loadStep(engineRef) {
  return {
    id: "models",
    where: "device",
    async run(state, ctx) {
      const loaded = await engineRef.call("load", {}, ({ received, total }) => ctx.progress("models", received, total));
      return { values: { plan: loaded.plan }, info: { bytes: loaded.received_bytes, cached: loaded.total_bytes === 0 } };
    },
  };
}

function deviceStep(engineRef, id, run) {
  return { id, where: "device", run };
}

/**
 * The steps of "on this device" mode: models, then caption, translate and speak in the browser
 * where this server's bundles can run here (plan.js), else on the server.
 */
export function deviceSteps(plan, engineRef = deviceEngine()) {
  const caption = deviceStep(engineRef, "caption", async (state) => {
    const out = await engineRef.call("caption", { image: state.image });
    return { values: { caption: out.caption, labels: out.labels }, modelMs: out.ms };
  });
  const translate = deviceStep(engineRef, "translate", async (state) => {
    const out = await engineRef.call("translate", { text: state.caption });
    return { values: { translation: out.translation }, modelMs: out.ms };
  });
  const speak = deviceStep(engineRef, "speak", async (state) => {
    const out = await engineRef.call("speak", { text: state.translation, language: "pt-BR" });
    const url = URL.createObjectURL(new Blob([out.wav], { type: "audio/wav" }));
    return { values: { audioUrl: url, audioSeconds: out.duration_s, audioExpiresAt: 0 }, modelMs: out.ms };
  });
  return [
    loadStep(engineRef),
    plan.caption?.device ? caption : serverCaption,
    plan.translate?.device ? translate : serverTranslate,
    plan.speak?.device ? speak : serverSpeak,
  ];
}
