// The page: pick an image (button, camera, drop, paste), run it on this device, "now" or "as a
// job", show each stage as it completes (where it ran, how long it took), the texts and the
// audio, and keep a list of recent runs.

import { ApiError, requestJson } from "./api.js";
import { deviceEngine, devicePlan as fetchDevicePlan, deviceSteps, deviceSupport, MIN_DEVICE_MEMORY_GB } from "./edge/client.js";
import { formatBytes, formatMs, otherLanguage, preferredLanguage, setLanguage, t } from "./i18n.js";
import { MAX_DIRECT_BYTES, MAX_JOB_BYTES, prepareImage, thumbnail } from "./image.js";
import { createAndUpload, fetchJob, followJob } from "./jobs.js";
import { clearRecent, loadRecent, newId, saveRecent } from "./recent.js";
import { nowSteps, runSteps } from "./steps.js";

const $ = (id) => document.getElementById(id);
const MODES = ["device", "now", "job"];
const MODE_KEY = "image-to-speech.mode";
const RESUME_WITHIN_MS = 15 * 60 * 1000;

const ui = {
  result: $("result"),
  preview: $("preview"),
  note: $("note"),
  progress: $("upload-progress"),
  progressText: $("upload-text"),
  stages: $("stages"),
  total: $("total"),
  error: $("error"),
  caption: $("caption"),
  translation: $("translation"),
  audio: $("audio"),
  live: $("live"),
  recent: $("recent"),
  recentEmpty: $("recent-empty"),
  drop: $("drop"),
  progressLabel: $("progress-label"),
  deviceNote: $("device-note"),
};

let run = null; // the run on screen: { controller, stages, captionText, translationText, ... }
// Can this device run the models, and which of the server's bundles run here (worker.plan).
const device = { support: deviceSupport(), plan: null, auto: false, problem: "" };

function stagesFor(mode) {
  return mode === "device" ? ["models", "caption", "translate", "speak"] : ["upload", "caption", "translate", "speak"];
}

// ---- stages -------------------------------------------------------------------------------

function renderStages() {
  ui.stages.replaceChildren(
    ...stagesFor(run?.mode ?? selectedMode()).map((id) => {
      const stage = run?.stages[id] ?? { state: "waiting" };
      const item = document.createElement("li");
      item.dataset.stage = id;
      item.dataset.state = stage.state;
      if (stage.where) item.dataset.where = stage.where;
      if (id === "models" && stage.state === "done") item.dataset.cached = stage.cached ? "yes" : "no";
      const mark = document.createElement("span");
      mark.className = "mark";
      mark.setAttribute("aria-hidden", "true");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = `${t(`stage_${id}`)} `;
      const state = document.createElement("span");
      state.className = "state";
      state.textContent = t(`state_${stage.state}`);
      if (stage.where) {
        const where = document.createElement("span");
        where.className = "where";
        where.textContent = ` · ${t(`where_${stage.where}`)}`;
        state.append(where);
      }
      const fromCache = id !== "models" && stage.state === "done" && stage.cached === true;
      if (fromCache) {
        item.dataset.cached = "yes";
        const cached = document.createElement("span");
        cached.className = "cached";
        cached.textContent = ` · ${t("fromCache")}`;
        state.append(cached);
      }
      name.append(state);
      const time = document.createElement("span");
      time.className = "time";
      time.textContent = stage.ms != null ? formatMs(stage.ms) : stage.bytes ? formatBytes(stage.bytes) : "";
      if (id === "models" && stage.state === "done" && stage.cached) {
        time.title = stage.bytes ? t("modelsCached", { size: formatBytes(stage.bytes) }) : t("modelsKept");
      }
      if (fromCache) time.title = t("fromCacheTitle");
      else if (stage.modelMs != null) time.title = t("modelTime", { ms: formatMs(stage.modelMs) });
      item.append(mark, name, time);
      return item;
    }),
  );
}

function announce(text) {
  ui.live.textContent = text;
}

const listener = {
  stage(id, state, info = {}) {
    if (!run) return;
    const previous = run.stages[id] || {};
    run.stages[id] = { ...previous, state, ...info };
    renderStages();
    // A job's final report repeats "done" with more detail (served from the cache, model
    // time): shown, but announced once.
    if (previous.state === state && state !== "running") return;
    const name = t(`stage_${id}`);
    if (state === "done") announce(t("announceDone", { stage: name, time: formatMs(info.ms) }));
    if (state === "failed") announce(t("announceFailed", { stage: name }));
    if (id === "upload" && state === "done") setProgress(100, run.bytes, run.bytes);
    if (id === "models" && state === "done") {
      // Models kept in this browser were not downloaded: say so instead of "0 B of 0 B".
      if (info.cached || !info.bytes) showProgressText(100, t("modelsKept"));
      else setProgress(100, info.bytes, info.bytes);
    }
  },
  progress(id, sent, total) {
    if ((id === "upload" || id === "models") && run && total > 0) setProgress((100 * sent) / total, sent, total);
  },
  job(jobId) {
    if (!run) return;
    run.id = jobId;
    saveRecent({ ...recentEntry(), status: "RUNNING" });
    renderRecent();
  },
};

function setProgress(percent, sent, total) {
  showProgressText(percent, t("uploadBytes", { sent: formatBytes(sent), total: formatBytes(total) }));
}

function showProgressText(percent, text) {
  ui.progress.value = Math.round(percent);
  ui.progressText.textContent = text;
}

// ---- one run -------------------------------------------------------------------------------

function selectedMode() {
  const value = document.querySelector('input[name="mode"]:checked')?.value;
  return MODES.includes(value) ? value : "now";
}

function resetResult(file) {
  ui.result.hidden = false;
  ui.result.dataset.state = "running";
  ui.error.hidden = true;
  ui.error.replaceChildren();
  ui.note.hidden = true;
  ui.caption.textContent = "";
  ui.translation.textContent = "";
  ui.total.textContent = "";
  ui.audio.removeAttribute("src");
  ui.audio.load();
  ui.progress.value = 0;
  ui.progressText.textContent = "";
  ui.progressLabel.textContent = t(run?.mode === "device" ? "modelsLabel" : "uploadLabel");
  if (ui.preview.src.startsWith("blob:")) URL.revokeObjectURL(ui.preview.src);
  ui.preview.src = URL.createObjectURL(file);
  ui.preview.alt = "";
  renderStages();
}

async function start(file) {
  if (!file) return;
  run?.controller.abort();
  const mode = selectedMode();
  const controller = new AbortController();
  run = { controller, mode, id: newId(), name: file.name || "", stages: {}, startedAt: performance.now() };
  const current = run;
  performance.mark("its:start");
  resetResult(file);
  try {
    const plan = mode === "device" ? await devicePlan() : null;
    // On this device the image is never sent: the model reads it as it is.
    const prepared =
      plan?.caption?.device
        ? { blob: file, type: file.type, reduced: null }
        : await prepareImage(file, mode === "job" ? MAX_JOB_BYTES : MAX_DIRECT_BYTES);
    current.bytes = prepared.blob.size;
    current.thumb = await thumbnail(prepared.blob);
    if (prepared.reduced) {
      ui.note.textContent = t("reduced", prepared.reduced);
      ui.note.hidden = false;
    }
    const state = {
      image: prepared.blob,
      imageName: file.name || "image",
      contentType: prepared.type || "application/octet-stream",
    };
    let outcome;
    if (mode === "device") {
      outcome = await runSteps(deviceSteps(plan), state, listener, controller.signal);
    } else if (mode === "now") {
      outcome = await runSteps(nowSteps(), state, listener, controller.signal);
    } else {
      const jobId = await createAndUpload(state, listener, controller.signal);
      const status = await followJob(jobId, listener, controller.signal);
      outcome = {
        caption: status.caption,
        translation: status.translation,
        audioUrl: status.audio_url,
        audioExpiresAt: Date.now() + (status.audio_url_expires_in || 0) * 1000,
      };
    }
    if (run !== current) return;
    showTexts(outcome.caption, outcome.translation);
    await loadAudio(ui.audio, outcome.audioUrl);
    if (run !== current) return;
    const total = performance.now() - current.startedAt;
    performance.mark("its:playable");
    ui.total.textContent = t("total", { time: formatMs(total) });
    ui.result.dataset.state = "done";
    ui.result.dataset.totalMs = String(Math.round(total));
    announce(t("announceFinished"));
    saveRecent({
      ...recentEntry(),
      status: "SUCCEEDED",
      audioUrl: outcome.audioUrl,
      audioExpiresAt: outcome.audioExpiresAt,
    });
  } catch (error) {
    if (error?.name === "AbortError" || run !== current) return;
    ui.result.dataset.state = "failed";
    showError(error);
    for (const id of stagesFor(current.mode)) {
      if (current.stages[id]?.state === "running") listener.stage(id, "failed");
    }
    if (current.mode === "job" || current.stages.caption?.state === "done") {
      saveRecent({ ...recentEntry(), status: "FAILED", error: describe(error) });
    }
  } finally {
    renderRecent();
  }
}

function recentEntry() {
  return {
    id: run.id,
    mode: run.mode,
    at: Date.now(),
    name: run.name,
    thumb: run.thumb || "",
    caption: ui.caption.textContent || undefined,
    translation: ui.translation.textContent || undefined,
  };
}

function showTexts(caption, translation) {
  ui.caption.textContent = caption || "";
  ui.translation.textContent = translation || "";
  // The picture's text alternative: the description, in the page's language when we have it.
  const portuguese = document.documentElement.lang === "pt-BR" && translation;
  ui.preview.alt = portuguese ? translation : caption || "";
  ui.preview.lang = portuguese ? "pt-BR" : "en";
}

function loadAudio(audio, url) {
  return new Promise((resolve, reject) => {
    const done = () => {
      audio.removeEventListener("canplaythrough", done);
      audio.removeEventListener("error", failed);
      resolve();
    };
    const failed = () => {
      audio.removeEventListener("canplaythrough", done);
      audio.removeEventListener("error", failed);
      reject(new ApiError({ kind: "s3", message: audio.error?.message || "the audio did not load" }));
    };
    audio.addEventListener("canplaythrough", done);
    audio.addEventListener("error", failed);
    audio.src = url;
    audio.load();
  });
}

// ---- errors --------------------------------------------------------------------------------

function allowedText(allowed) {
  if (Array.isArray(allowed)) return allowed.map(String).join(", ");
  if (allowed && typeof allowed === "object") {
    return Object.entries(allowed)
      .filter(([, value]) => value == null || typeof value !== "object")
      .map(([key, value]) => `${key}: ${value}`)
      .join(", ");
  }
  return "";
}

function describe(error) {
  if (!(error instanceof ApiError)) return String(error?.message || error);
  if (error.kind === "network") return t("errorNetwork");
  if (error.kind === "s3") return t("errorUpload", { reason: error.message || error.code || "?" });
  if (error.kind === "timeout") return t("errorTimeout", { time: formatMs(Number(error.message)) });
  if (error.kind === "job") {
    const step = error.allowed ? t(`stage_${error.allowed}`) : "?";
    return t("jobFailedAt", { step, reason: error.message || error.code });
  }
  return error.message || t("errorStatus", { status: error.status });
}

function showError(error) {
  const title = document.createElement("p");
  const strong = document.createElement("strong");
  strong.textContent = t("errorTitle");
  title.append(strong);
  const message = document.createElement("p");
  message.className = "error-message";
  message.lang = "en"; // the server's words are English
  message.textContent = describe(error);
  ui.error.replaceChildren(title, message);
  const allowed = error instanceof ApiError && error.kind === "api" ? allowedText(error.allowed) : "";
  if (allowed) {
    const extra = document.createElement("p");
    extra.textContent = t("errorAllowed", { allowed });
    ui.error.append(extra);
  }
  if (error instanceof ApiError && error.code) {
    const code = document.createElement("code");
    code.textContent = error.status ? `${error.status} ${error.code}` : error.code;
    ui.error.append(code);
  }
  ui.error.hidden = false;
}

// ---- recent list ---------------------------------------------------------------------------

function renderRecent() {
  const entries = loadRecent();
  ui.recentEmpty.hidden = entries.length > 0;
  ui.recent.replaceChildren(...entries.map(recentItem));
}

function recentItem(entry) {
  const item = document.createElement("li");
  item.dataset.id = entry.id;
  item.dataset.status = entry.status || "";
  const image = document.createElement("img");
  if (entry.thumb) image.src = entry.thumb;
  image.alt = entry.caption ? t("imageOf", { caption: entry.caption }) : "";
  const body = document.createElement("div");
  const lines = [
    ["caption", entry.caption, "en"],
    ["translation", entry.translation, "pt-BR"],
  ];
  for (const [name, text, lang] of lines) {
    if (!text) continue;
    const line = document.createElement("p");
    line.className = name;
    line.lang = lang;
    line.textContent = text;
    body.append(line);
  }
  const meta = document.createElement("p");
  meta.className = "meta";
  const when = new Date(entry.at).toLocaleString(document.documentElement.lang);
  const status =
    entry.status === "RUNNING" ? t("recentRunning") : entry.status === "FAILED" ? t("recentFailed") : "";
  const modeName = { job: "recentJob", device: "recentDevice" }[entry.mode] || "recentNow";
  meta.textContent = [t(modeName), when, status, entry.error]
    .filter(Boolean)
    .join(" · ");
  body.append(meta);
  const actions = document.createElement("div");
  actions.className = "actions";
  const audio = document.createElement("audio");
  audio.controls = true;
  audio.hidden = true;
  if (entry.status === "SUCCEEDED") {
    const play = document.createElement("button");
    play.type = "button";
    play.className = "link-button";
    play.textContent = entry.mode !== "job" && expired(entry) ? t("speakAgain") : t("play");
    play.addEventListener("click", () => playRecent(entry, audio, meta));
    actions.append(play);
  }
  if (entry.mode === "job" && entry.status !== "SUCCEEDED") {
    const refresh = document.createElement("button");
    refresh.type = "button";
    refresh.className = "link-button";
    refresh.textContent = t("refresh");
    refresh.addEventListener("click", () => refreshJob(entry).then(renderRecent));
    actions.append(refresh);
  }
  body.append(actions, audio);
  item.append(image, body);
  return item;
}

function expired(entry) {
  return !entry.audioUrl || !entry.audioExpiresAt || entry.audioExpiresAt < Date.now() + 5000;
}

async function playRecent(entry, audio, meta) {
  try {
    let url = entry.audioUrl;
    if (entry.mode === "job") {
      url = (await fetchJob(entry.id)).audio_url;
    } else if (entry.mode === "device" && (await devicePlan())?.speak?.device) {
      // The audio was made in this browser and lives only as long as the page: speak again.
      const spoken = await deviceEngine().call("speak", { text: entry.translation, language: "pt-BR" });
      url = URL.createObjectURL(new Blob([spoken.wav], { type: "audio/wav" }));
    } else if (expired(entry)) {
      const spoken = await requestJson("/speak", {
        method: "POST",
        body: { text: entry.translation, language: "pt-BR" },
      });
      url = spoken.url;
      saveRecent({ id: entry.id, audioUrl: url, audioExpiresAt: Date.now() + spoken.expires_in * 1000 });
    }
    audio.hidden = false;
    await loadAudio(audio, url);
    await audio.play().catch(() => {}); // autoplay rules may refuse: the controls are there
  } catch (error) {
    const reason = error instanceof ApiError && error.status === 404 ? t("errorJobGone") : describe(error);
    meta.textContent = `${meta.textContent} · ${reason}`;
  }
}

async function refreshJob(entry) {
  try {
    const status = await fetchJob(entry.id);
    if (status.status === "SUCCEEDED" || status.status === "FAILED") {
      saveRecent({
        id: entry.id,
        status: status.status,
        caption: status.caption,
        translation: status.translation,
        error: status.error ? t("jobFailedAt", { step: t(`stage_${status.error.step}`), reason: status.error.reason }) : undefined,
      });
    }
  } catch (error) {
    const gone = error instanceof ApiError && error.status === 404;
    saveRecent({ id: entry.id, status: "FAILED", error: gone ? t("errorJobGone") : describe(error) });
  }
}

/** Jobs still running when the page was left: follow them quietly until they end. */
async function resumeJobs() {
  const quiet = { stage() {}, progress() {} };
  const pending = loadRecent().filter(
    (entry) => entry.mode === "job" && entry.status === "RUNNING" && Date.now() - entry.at < RESUME_WITHIN_MS,
  );
  await Promise.all(
    pending.map(async (entry) => {
      try {
        await followJob(entry.id, quiet);
      } catch {
        // refreshJob records the outcome, failure included
      }
      await refreshJob(entry);
    }),
  );
  if (pending.length) renderRecent();
}

// ---- on this device -------------------------------------------------------------------------

/** Which stages run here with what this server offers (the worker reads /edge/index.json). */
async function devicePlan() {
  if (!device.plan) {
    const answer = await fetchDevicePlan();
    device.plan = answer.plan;
    device.threads = answer.threads;
  }
  return device.plan;
}

/** The automatic choice: this device when it can run the models, the server otherwise. A
 * mode chosen with the switch is remembered and wins. */
function chooseMode() {
  const radio = (value) => document.querySelector(`input[name="mode"][value="${value}"]`);
  const saved = localStorage.getItem(MODE_KEY);
  const deviceRadio = radio("device");
  deviceRadio.disabled = !device.support.ok;
  let mode = MODES.includes(saved) ? saved : null;
  if (mode === "device" && !device.support.ok) mode = null;
  if (!mode) {
    mode = device.support.ok ? "device" : "now";
    device.auto = device.support.ok;
  }
  radio(mode).checked = true;
  renderDeviceNote();
  if (device.support.ok) {
    devicePlan().then(
      (plan) => {
        if (!Object.values(plan).some((task) => task.device)) {
          const detail = Object.values(plan).map((task) => task.reason).filter(Boolean)[0] || "";
          disableDevice(t("reason_offer", { detail }));
        } else renderDeviceNote();
      },
      (error) => disableDevice(t("reason_offer", { detail: String(error.message || error) })),
    );
  }
}

function disableDevice(problem) {
  device.problem = problem;
  const deviceRadio = document.querySelector('input[name="mode"][value="device"]');
  deviceRadio.disabled = true;
  if (deviceRadio.checked) {
    document.querySelector('input[name="mode"][value="now"]').checked = true;
    if (!run) renderStages();
  }
  renderDeviceNote();
}

function renderDeviceNote() {
  const support = device.support;
  let text;
  if (!support.ok || device.problem) {
    const reasons = support.reasons.map((reason) => t(`reason_${reason}`, { gb: MIN_DEVICE_MEMORY_GB }));
    if (device.problem) reasons.push(device.problem);
    text = t("deviceNo", { reasons: reasons.join(", ") });
  } else {
    const threads = device.threads ?? (support.isolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1);
    const details = t("deviceDetails", {
      memory: support.memoryGb ? t("deviceMemory", { gb: support.memoryGb }) : t("deviceMemoryUnknown"),
      threads: threads > 1 ? t("deviceThreads", { count: threads }) : t("deviceOneThread"),
    });
    text = t(device.auto && selectedMode() === "device" ? "deviceAuto" : "deviceChosen", { details });
  }
  ui.deviceNote.textContent = text;
  ui.deviceNote.dataset.device = support.ok && !device.problem ? "yes" : "no";
}

/** Keeps the page, its libraries and index for offline visits (web/sw.js). */
function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/web/sw.js", { scope: "/" }).catch(() => {
    // Without it the page still works online; only offline visits need it.
  });
}

// ---- input ---------------------------------------------------------------------------------

function firstImageFile(list) {
  const files = Array.from(list || []);
  return files.find((file) => file.type.startsWith("image/")) || files[0];
}

function wireInput() {
  const file = $("file");
  const camera = $("camera-file");
  $("choose").addEventListener("click", () => file.click());
  $("camera").addEventListener("click", () => camera.click());
  for (const input of [file, camera]) {
    input.addEventListener("change", () => {
      start(input.files[0]);
      input.value = ""; // the same file again is a new run
    });
  }
  let depth = 0;
  document.addEventListener("dragenter", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    depth += 1;
    ui.drop.classList.add("over");
  });
  document.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) ui.drop.classList.remove("over");
  });
  document.addEventListener("dragover", (event) => event.preventDefault());
  document.addEventListener("drop", (event) => {
    event.preventDefault();
    depth = 0;
    ui.drop.classList.remove("over");
    start(firstImageFile(event.dataTransfer?.files));
  });
  document.addEventListener("paste", (event) => {
    const pasted = firstImageFile(event.clipboardData?.files);
    if (pasted) {
      event.preventDefault();
      start(pasted);
    }
  });
  chooseMode();
  for (const radio of document.querySelectorAll('input[name="mode"]')) {
    radio.addEventListener("change", () => {
      localStorage.setItem(MODE_KEY, selectedMode());
      device.auto = false;
      renderDeviceNote();
      if (!run) renderStages();
    });
  }
  $("clear-recent").addEventListener("click", () => {
    clearRecent();
    renderRecent();
  });
  $("language").addEventListener("click", () => {
    setLanguage(otherLanguage(), { remember: true });
    renderDeviceNote();
    renderStages();
    renderRecent();
    if (run && ui.caption.textContent) showTexts(ui.caption.textContent, ui.translation.textContent);
  });
}

setLanguage(preferredLanguage());
wireInput();
renderStages();
renderRecent();
resumeJobs();
registerServiceWorker();
