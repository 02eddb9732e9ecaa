// This browser's recent runs (both modes), kept in localStorage: nothing leaves the browser.
// An entry: { id, mode: "now" | "job", at, name, status, caption, translation, thumb,
//             audioUrl, audioExpiresAt, error }

const STORAGE_KEY = "image-to-speech.recent";
const MAX_ENTRIES = 12;

export function loadRecent() {
  try {
    const parsed = JSON.parse(localStorage.getItem(STORAGE_KEY) || "[]");
    return Array.isArray(parsed) ? parsed.filter((entry) => entry && entry.id) : [];
  } catch {
    return [];
  }
}

function store(entries) {
  for (let keep = entries.length; keep > 0; keep -= 1) {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(entries.slice(0, keep)));
      return;
    } catch {
      // quota: drop the oldest and try again
    }
  }
}

/** Add or update an entry (by id); newest first, at most MAX_ENTRIES. */
export function saveRecent(entry) {
  const entries = loadRecent();
  const index = entries.findIndex((item) => item.id === entry.id);
  if (index >= 0) {
    entries[index] = { ...entries[index], ...entry };
  } else {
    entries.unshift(entry);
  }
  store(entries.slice(0, MAX_ENTRIES));
}

export function clearRecent() {
  localStorage.removeItem(STORAGE_KEY);
}

export function newId() {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}
