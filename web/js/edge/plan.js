// Which stages this device runs with what the server offers (/edge/index.json): a stage runs
// here when its bundle is of a kind the page implements (and, for speech, the optional
// phonemizer is installed); the others run on the server. Shared by the page and the worker.

import { INDEX_URL } from "./assets.js";

export const DEVICE_KINDS = { caption: "image-classifier", translate: "bergamot", speak: "piper-vits" };

export function plan(offer) {
  const tasks = {};
  const libraries = Boolean(offer.vendor?.ort && offer.vendor?.tokenizers);
  for (const [task, kind] of Object.entries(DEVICE_KINDS)) {
    const entry = offer.bundles?.[task];
    let reason = "";
    if (!libraries) reason = "the browser libraries are not installed (make web-vendor)";
    else if (!entry) reason = "no bundle offered";
    else if (entry.kind !== kind) reason = `kind ${entry.kind} runs on the server only`;
    else if (task === "speak" && !offer.vendor?.espeak) reason = "the espeak-ng phonemizer (GPL, optional) is not installed";
    tasks[task] = { device: !reason, reason, preset: entry?.preset };
  }
  return tasks;
}

/** The server's offer (through the service worker's copy when offline). */
export async function fetchOffer() {
  const response = await fetch(INDEX_URL, { cache: "no-cache" });
  if (!response.ok) throw new Error(`${INDEX_URL}: HTTP ${response.status}`);
  return response.json();
}
