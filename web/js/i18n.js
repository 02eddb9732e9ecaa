// The page's words in English and Brazilian Portuguese. Portuguese when the browser prefers it
// (the audio is Portuguese), English otherwise; the visible switch wins and is remembered.

const STORAGE_KEY = "image-to-speech.language";

const STRINGS = {
  en: {
    title: "Image to speech",
    tagline: "Pick a photo: it is described in English, translated to Brazilian Portuguese and read aloud.",
    switchTo: "Português",
    switchLabel: "Mudar para português",
    chooseTitle: "1. Choose an image",
    modeLegend: "How should it run?",
    modeDevice: "On this device",
    modeDeviceHint: "the same models run in this browser: the image never leaves it",
    deviceAuto: "Chosen for this device: it can run the models ({details}).",
    deviceChosen: "This device can run the models ({details}).",
    deviceNo: "This device runs everything on the server: {reasons}.",
    deviceDetails: "WebAssembly SIMD, {memory}, {threads}",
    deviceMemory: "{gb} GB memory",
    deviceMemoryUnknown: "memory not reported",
    deviceThreads: "{count} threads",
    deviceOneThread: "1 thread",
    reason_simd: "no WebAssembly SIMD",
    reason_worker: "no module workers or OffscreenCanvas",
    reason_storage: "no Cache Storage or Web Crypto",
    reason_memory: "less than {gb} GB of memory",
    reason_offer: "the server offers no on-device models ({detail})",
    modelsLabel: "Models",
    modelsCached: "from this browser ({size})",
    modelsKept: "models kept in this browser: nothing to download",
    fromCache: "from the result cache",
    fromCacheTitle: "Served from the result cache: no model ran",
    stage_models: "Models",
    modeNow: "Now",
    modeNowHint: "three direct calls: /caption, /translate, /speak",
    modeJob: "As a job",
    modeJobHint: "upload to S3; Step Functions runs the pipeline",
    dropHint: "Drop an image here or paste one (Ctrl+V), or:",
    chooseButton: "Choose an image",
    cameraButton: "Take a photo",
    formats: "JPEG, PNG or WebP. Large photos are reduced before they are sent.",
    resultTitle: "2. Result",
    uploadLabel: "Upload",
    captionLabel: "English caption",
    translationLabel: "In Brazilian Portuguese",
    audioLabel: "Spoken Portuguese text",
    recentTitle: "Recent in this browser",
    clearRecent: "Clear list",
    recentEmpty: "Nothing yet: your images and jobs will be listed here.",
    healthLink: "Server status",
    footer: "Caption, translation and speech run the same ONNX models on the server or in this browser.",
    stage_upload: "Upload",
    stage_caption: "Caption",
    stage_translate: "Translate",
    stage_speak: "Speak",
    state_waiting: "waiting",
    state_running: "running…",
    state_done: "done",
    state_failed: "failed",
    where_server: "on the server",
    where_pipeline: "in the pipeline (Step Functions)",
    where_device: "on this device",
    where_s3: "to S3",
    modelTime: "model {ms}",
    total: "Image to playable audio: {time}",
    uploadBytes: "{sent} of {total}",
    reduced: "Your image was reduced from {from} to {to} pixels before sending.",
    announceRunning: "{stage}: running.",
    announceDone: "{stage} done in {time}.",
    announceFailed: "{stage} failed.",
    announceFinished: "Finished. The audio is ready to play.",
    errorTitle: "Something went wrong",
    errorAllowed: "Accepted: {allowed}",
    errorNetwork: "The server could not be reached. Is `make up` still running?",
    errorUpload: "The upload to S3 failed: {reason}",
    errorStatus: "The server answered {status} without an explanation.",
    errorTimeout: "The job did not finish in {time}.",
    errorJobGone: "The server no longer knows this job (it was restarted without its data).",
    errorBusy: "Wait for the current image to finish.",
    jobFailedAt: "The pipeline stopped at “{step}”: {reason}",
    recentNow: "now",
    recentJob: "job",
    recentDevice: "on this device",
    recentRunning: "running…",
    recentFailed: "failed",
    play: "Play",
    refresh: "Refresh",
    speakAgain: "Speak again",
    imageOf: "Image: {caption}",
  },
  "pt-BR": {
    title: "Imagem em voz",
    tagline: "Escolha uma foto: ela é descrita em inglês, traduzida para o português do Brasil e lida em voz alta.",
    switchTo: "English",
    switchLabel: "Switch to English",
    chooseTitle: "1. Escolha uma imagem",
    modeLegend: "Como executar?",
    modeDevice: "Neste dispositivo",
    modeDeviceHint: "os mesmos modelos rodam neste navegador: a imagem não sai dele",
    deviceAuto: "Escolhido para este dispositivo: ele roda os modelos ({details}).",
    deviceChosen: "Este dispositivo roda os modelos ({details}).",
    deviceNo: "Este dispositivo usa o servidor para tudo: {reasons}.",
    deviceDetails: "WebAssembly SIMD, {memory}, {threads}",
    deviceMemory: "{gb} GB de memória",
    deviceMemoryUnknown: "memória não informada",
    deviceThreads: "{count} threads",
    deviceOneThread: "1 thread",
    reason_simd: "sem WebAssembly SIMD",
    reason_worker: "sem workers de módulo ou OffscreenCanvas",
    reason_storage: "sem Cache Storage ou Web Crypto",
    reason_memory: "menos de {gb} GB de memória",
    reason_offer: "o servidor não oferece modelos para o dispositivo ({detail})",
    modelsLabel: "Modelos",
    modelsCached: "deste navegador ({size})",
    modelsKept: "modelos guardados neste navegador: nada a baixar",
    fromCache: "do cache de resultados",
    fromCacheTitle: "Servido do cache de resultados: nenhum modelo rodou",
    stage_models: "Modelos",
    modeNow: "Agora",
    modeNowHint: "três chamadas diretas: /caption, /translate, /speak",
    modeJob: "Como tarefa",
    modeJobHint: "envio ao S3; o Step Functions executa o pipeline",
    dropHint: "Solte uma imagem aqui ou cole uma (Ctrl+V), ou:",
    chooseButton: "Escolher uma imagem",
    cameraButton: "Tirar uma foto",
    formats: "JPEG, PNG ou WebP. Fotos grandes são reduzidas antes do envio.",
    resultTitle: "2. Resultado",
    uploadLabel: "Envio",
    captionLabel: "Legenda em inglês",
    translationLabel: "Em português do Brasil",
    audioLabel: "Texto em português falado",
    recentTitle: "Recentes neste navegador",
    clearRecent: "Limpar lista",
    recentEmpty: "Nada ainda: suas imagens e tarefas aparecerão aqui.",
    healthLink: "Estado do servidor",
    footer: "Legenda, tradução e voz usam os mesmos modelos ONNX no servidor ou neste navegador.",
    stage_upload: "Envio",
    stage_caption: "Legenda",
    stage_translate: "Tradução",
    stage_speak: "Voz",
    state_waiting: "aguardando",
    state_running: "em andamento…",
    state_done: "concluído",
    state_failed: "falhou",
    where_server: "no servidor",
    where_pipeline: "no pipeline (Step Functions)",
    where_device: "neste dispositivo",
    where_s3: "para o S3",
    modelTime: "modelo {ms}",
    total: "Da imagem ao áudio: {time}",
    uploadBytes: "{sent} de {total}",
    reduced: "Sua imagem foi reduzida de {from} para {to} pixels antes do envio.",
    announceRunning: "{stage}: em andamento.",
    announceDone: "{stage}: concluído em {time}.",
    announceFailed: "{stage} falhou.",
    announceFinished: "Pronto. O áudio pode ser tocado.",
    errorTitle: "Algo deu errado",
    errorAllowed: "Aceito: {allowed}",
    errorNetwork: "Não foi possível falar com o servidor. O `make up` ainda está rodando?",
    errorUpload: "O envio ao S3 falhou: {reason}",
    errorStatus: "O servidor respondeu {status} sem explicação.",
    errorTimeout: "A tarefa não terminou em {time}.",
    errorJobGone: "O servidor não conhece mais esta tarefa (foi reiniciado sem os dados).",
    errorBusy: "Espere a imagem atual terminar.",
    jobFailedAt: "O pipeline parou em “{step}”: {reason}",
    recentNow: "agora",
    recentJob: "tarefa",
    recentDevice: "neste dispositivo",
    recentRunning: "em andamento…",
    recentFailed: "falhou",
    play: "Tocar",
    refresh: "Atualizar",
    speakAgain: "Falar de novo",
    imageOf: "Imagem: {caption}",
  },
};

let current = "en";

export function preferredLanguage() {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && saved in STRINGS) return saved;
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language || "en"];
  for (const tag of wanted) {
    const lower = String(tag).toLowerCase();
    if (lower.startsWith("pt")) return "pt-BR";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

export function language() {
  return current;
}

export function t(key, vars = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** Switch the page's language: <html lang>, every [data-i18n] element, the switch itself. */
export function setLanguage(tag, { remember = false } = {}) {
  current = tag in STRINGS ? tag : "en";
  if (remember) localStorage.setItem(STORAGE_KEY, current);
  document.documentElement.lang = current;
  document.title = t("title");
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  const toggle = document.getElementById("language");
  toggle.textContent = t("switchTo");
  toggle.lang = current === "en" ? "pt-BR" : "en";
  toggle.setAttribute("aria-label", t("switchLabel"));
}

export function otherLanguage() {
  return current === "en" ? "pt-BR" : "en";
}

const numberFormats = {};

function numberFormat(digits) {
  const key = `${current}:${digits}`;
  numberFormats[key] ??= new Intl.NumberFormat(current, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return numberFormats[key];
}

export function formatMs(ms) {
  if (ms == null || Number.isNaN(ms)) return "";
  return ms < 1000 ? `${numberFormat(0).format(ms)} ms` : `${numberFormat(1).format(ms / 1000)} s`;
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${numberFormat(0).format(bytes / 1024)} KB`;
  return `${numberFormat(1).format(bytes / 1024 / 1024)} MB`;
}
