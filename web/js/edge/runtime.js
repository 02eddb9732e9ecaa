// onnxruntime-web (npm, MIT; served from /edge/vendor/ort/): the wasm backend with SIMD, and
// threads when the page is cross-origin isolated (COOP/COEP headers). The wasm binary is
// fetched, verified and cached by assets.js and handed to onnxruntime, so it is never
// downloaded twice and works offline.

import * as ort from "/edge/vendor/ort/ort.wasm.min.mjs";
import { verifiedBytes } from "./assets.js";

let ready = null;

export function threadCount() {
  // Threads need SharedArrayBuffer, which only a cross-origin isolated page has. Two cores
  // are enough for these small graphs; more mostly costs synchronisation.
  if (!self.crossOriginIsolated) return 1;
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
}

/** onnxruntime, configured once (absolute wasmPaths: a relative one 404s in workers). */
export function onnxruntime(vendor, options = {}) {
  if (!ready) {
    ready = (async () => {
      const wasm = vendor.files["ort-wasm-simd-threaded.wasm"];
      const { bytes } = await verifiedBytes(vendor.base + "ort-wasm-simd-threaded.wasm", wasm.sha256, {
        size: wasm.size,
        onBytes: options.onBytes,
      });
      ort.env.wasm.wasmPaths = new URL(vendor.base, self.location.origin).href;
      ort.env.wasm.wasmBinary = bytes;
      ort.env.wasm.numThreads = options.threads ?? threadCount();
      ort.env.logLevel = "error";
      return ort;
    })();
    ready.catch(() => {
      ready = null; // let a later attempt (back online) try again
    });
  }
  return ready;
}

let creating = Promise.resolve();

/**
 * A session on model bytes, with the options of inference/session.py that change results.
 * One at a time: onnxruntime-web mounts a session's external data (weights.bin) globally and
 * unmounts it when any creation ends, so two at once fail.
 */
export function createSession(runtime, bytes, { extra, externalData } = {}) {
  const created = creating.then(() =>
    runtime.InferenceSession.create(bytes, {
      executionProviders: ["wasm"],
      graphOptimizationLevel: "all",
      extra,
      externalData,
    }),
  );
  creating = created.catch(() => {});
  return created;
}

export function int64Tensor(runtime, values, dims) {
  return new runtime.Tensor("int64", BigInt64Array.from(values, (v) => BigInt(v)), dims);
}
