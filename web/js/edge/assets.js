// The "on this device" mode's files: the index of what this server offers (/edge/index.json),
// the model bundles and the wasm binaries. Every file is checked against its sha256 before use
// (SubtleCrypto): a bundle's manifest against the index, each bundle file against the manifest,
// as the Python runtime does (inference/bundle.py). Verified files are kept in Cache Storage,
// so a second visit downloads no model bytes, and edge mode works offline.

export const CACHE_NAME = "image-to-speech-edge-v1";
export const INDEX_URL = "/edge/index.json";
const MANIFEST = "manifest.json";
const SCHEMA_VERSION = 1;

export class IntegrityError extends Error {
  constructor(message) {
    super(message);
    this.name = "IntegrityError";
  }
}

export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function readWithProgress(response, size, onBytes) {
  if (!response.body || !onBytes) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const out = new Uint8Array(size);
  let offset = 0;
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (offset + value.length <= out.length) out.set(value, offset);
    else chunks.push(value); // more bytes than announced: the hash check refuses it below
    offset += value.length;
    onBytes(value.length);
  }
  if (offset === out.length && chunks.length === 0) return out;
  const all = new Uint8Array(offset);
  all.set(out.subarray(0, Math.min(offset, out.length)));
  let at = out.length;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return all;
}

/**
 * The bytes at `url`, whose sha256 must be `sha256`: from Cache Storage when present and
 * intact, else from the network (then cached). Resolves with {bytes, downloaded}.
 */
export async function verifiedBytes(url, sha256, { size = 0, onBytes } = {}) {
  const cache = await caches.open(CACHE_NAME);
  const hit = await cache.match(url);
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    if ((await sha256Hex(bytes)) === sha256) return { bytes, downloaded: 0 };
    await cache.delete(url); // damaged or outdated: fetch it again
  }
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const bytes = await readWithProgress(response, size, onBytes);
  const actual = await sha256Hex(bytes);
  if (actual !== sha256) {
    throw new IntegrityError(`${url}: sha256 is ${actual}, expected ${sha256}`);
  }
  await cache.put(url, new Response(bytes, { headers: { "content-type": "application/octet-stream" } }));
  return { bytes, downloaded: bytes.length };
}

/** Bytes still to download for these {url, sha256, size} entries (not in the cache). */
export async function missingBytes(entries) {
  const cache = await caches.open(CACHE_NAME);
  let total = 0;
  for (const entry of entries) {
    if (!(await cache.match(entry.url))) total += entry.size || 0;
  }
  return total;
}

/**
 * A bundle's manifest (checked against the index) and the named files (checked against the
 * manifest), like inference/bundle.load_bundle: {manifest, config, files: {name: bytes}}.
 */
export async function loadBundle(entry, names, options = {}) {
  const { bytes } = await verifiedBytes(entry.base + MANIFEST, entry.manifest_sha256, options);
  const manifest = JSON.parse(new TextDecoder().decode(bytes));
  if (manifest.schema_version !== SCHEMA_VERSION) {
    throw new IntegrityError(`${entry.base}: schema_version ${manifest.schema_version}, this page reads ${SCHEMA_VERSION}`);
  }
  if (manifest.task !== entry.task || manifest.preset !== entry.preset) {
    throw new IntegrityError(`${entry.base} is ${manifest.task}/${manifest.preset}, expected ${entry.task}/${entry.preset}`);
  }
  const files = {};
  let downloaded = 0;
  await Promise.all(
    names.map(async (name) => {
      const listed = manifest.files?.[name];
      if (!listed) throw new IntegrityError(`${entry.base}: '${name}' is not listed in the manifest`);
      const got = await verifiedBytes(entry.base + name, listed.sha256, { ...options, size: listed.size });
      if (got.bytes.length !== listed.size) {
        throw new IntegrityError(`${entry.base}${name} is ${got.bytes.length} bytes, manifest says ${listed.size}`);
      }
      files[name] = got.bytes;
      downloaded += got.downloaded;
    }),
  );
  return { manifest, config: manifest.config || {}, files, downloaded };
}
