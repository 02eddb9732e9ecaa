// The service worker: after the first visit the page opens, and its "on this device" mode runs,
// without a network. Served from /web/ with `Service-Worker-Allowed: /`, registered for "/".
//
// - At install it keeps the page's files and the browser libraries' scripts that
//   /edge/index.json lists (small); the models and wasm binaries are cached, after their
//   sha256 is checked, by the page itself (js/edge/assets.js), never twice.
// - The page, its scripts and the index: network first (an edited page shows at once), the
//   kept copy when offline. The API (/caption, /jobs, ...) and S3 are never cached.

const SHELL_CACHE = "image-to-speech-shell-v1";
const MODELS_CACHE = "image-to-speech-edge-v1"; // js/edge/assets.js
const INDEX_URL = "/edge/index.json";

function isShell(url) {
  return (
    url.origin === self.location.origin &&
    (url.pathname === "/" ||
      url.pathname === "/index.html" ||
      url.pathname === INDEX_URL ||
      url.pathname.startsWith("/web/") ||
      (url.pathname.startsWith("/edge/vendor/") && /\.m?js$/.test(url.pathname)))
  );
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      const response = await fetch(INDEX_URL, { cache: "no-cache" });
      const index = await response.clone().json();
      await cache.put(INDEX_URL, response);
      await cache.addAll(index.shell || ["/"]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name !== SHELL_CACHE && name !== MODELS_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request, { ignoreSearch: true });
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (isShell(url)) event.respondWith(networkFirst(request));
});
