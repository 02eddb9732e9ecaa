// The pipeline's stages as pluggable steps. A step is
//   { id: "caption" | "translate" | "speak", where: "server" | "device" | ..., run(state, ctx) }
// run() reads what earlier steps put in `state` and resolves with
//   { values: {...added to state}, modelMs?: number, ms?: number (if not the whole call) }.
// ctx.report(stageId, state, info) and ctx.progress(stageId, sent, total) let a step report
// sub-stages (the image upload inside POST /caption). Another mode (models running in the
// browser, edge/client.js) provides steps with the same shape and a different `where`; a step
// may also return `info` for the stage list: {bytes, cached} of the models, or {cached} when
// the server answered from its result cache (no model ran).

import { requestJson, sendForm } from "./api.js";

export const serverCaption = {
  id: "caption",
  where: "server",
  // The image travels inside the request: the browser reports when its last byte left, but
  // not when the server started on it, so the caption's time is the whole request and the
  // upload stage shows how much was sent.
  async run(state, ctx) {
    ctx.report("upload", "running", { where: "server" });
    const form = new FormData();
    form.append("image", state.image, state.imageName || "image");
    const answer = await sendForm("/caption", form, {
      signal: ctx.signal,
      onUploadProgress: (sent, total) => ctx.progress("upload", sent, total),
      onUploaded: () => ctx.report("upload", "done", { where: "server", bytes: state.image.size }),
    });
    ctx.report("upload", "done", { where: "server", bytes: state.image.size });
    return { values: { caption: answer.caption }, modelMs: answer.ms, info: { cached: answer.cached === true } };
  },
};

export const serverTranslate = {
  id: "translate",
  where: "server",
  async run(state, ctx) {
    const answer = await requestJson("/translate", {
      method: "POST",
      body: { text: state.caption, source: "en", target: "pt-BR" },
      signal: ctx.signal,
    });
    return {
      values: { translation: answer.translation },
      modelMs: answer.ms,
      info: { cached: answer.cached === true },
    };
  },
};

export const serverSpeak = {
  id: "speak",
  where: "server",
  async run(state, ctx) {
    const answer = await requestJson("/speak", {
      method: "POST",
      body: { text: state.translation, language: "pt-BR" },
      signal: ctx.signal,
    });
    return {
      values: {
        audioUrl: answer.url,
        audioExpiresAt: Date.now() + answer.expires_in * 1000,
        audioSeconds: answer.duration_s,
      },
      modelMs: answer.ms,
      info: { cached: answer.cached === true },
    };
  },
};

/** The steps of "now" mode, in order. */
export function nowSteps() {
  return [serverCaption, serverTranslate, serverSpeak];
}

/** Run steps one after the other; listener.stage(id, state, info) hears every change. */
export async function runSteps(steps, state, listener, signal) {
  const ctx = { signal, report: listener.stage, progress: listener.progress };
  for (const step of steps) {
    const started = performance.now();
    listener.stage(step.id, "running", { where: step.where });
    let out;
    try {
      out = await step.run(state, ctx);
    } catch (error) {
      listener.stage(step.id, "failed", { where: step.where, ms: performance.now() - started });
      throw error;
    }
    Object.assign(state, out.values);
    listener.stage(step.id, "done", {
      ...out.info,
      where: step.where,
      ms: out.ms ?? performance.now() - started,
      modelMs: out.modelMs,
      values: out.values,
    });
  }
  return state;
}
