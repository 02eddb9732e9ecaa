// Getting a picked image ready to send: its type, a smaller copy when it is too big for the
// API (the caption model looks at 224 x 224 pixels anyway), and a thumbnail for the list.
// Anything the browser cannot decode is sent as it is: the server says what is wrong with it.

// POST /caption travels base64-encoded in a 6 MB Lambda event: about 4.4 MB of image fit.
export const MAX_DIRECT_BYTES = 4 * 1024 * 1024;
// The pipeline's caption step reads at most 5 MB from S3.
export const MAX_JOB_BYTES = 5 * 1024 * 1024;
const MAX_SIDE = 2048;
export const ACCEPTED_TYPES = ["image/jpeg", "image/png", "image/webp"];

const SIGNATURES = [
  { type: "image/jpeg", bytes: [0xff, 0xd8, 0xff] },
  { type: "image/png", bytes: [0x89, 0x50, 0x4e, 0x47] },
];

/** The declared type, else the type its first bytes say, else "". */
export async function contentType(blob) {
  if (blob.type) return blob.type;
  const head = new Uint8Array(await blob.slice(0, 12).arrayBuffer());
  for (const { type, bytes } of SIGNATURES) {
    if (bytes.every((value, index) => head[index] === value)) return type;
  }
  const text = String.fromCharCode(...head);
  if (text.startsWith("RIFF") && text.slice(8, 12) === "WEBP") return "image/webp";
  return "";
}

async function decode(blob) {
  try {
    return await createImageBitmap(blob);
  } catch {
    return null; // not an image this browser can decode
  }
}

function toBlob(canvas, type, quality) {
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

/** { blob, type, reduced: null | {from, to} }: files over maxBytes are re-encoded smaller. */
export async function prepareImage(file, maxBytes) {
  const type = await contentType(file);
  if (file.size <= maxBytes) return { blob: file, type, reduced: null };
  const bitmap = await decode(file);
  if (!bitmap) return { blob: file, type, reduced: null };
  const { width, height } = bitmap;
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await toBlob(canvas, "image/jpeg", 0.9);
  if (!blob) return { blob: file, type, reduced: null };
  return {
    blob,
    type: "image/jpeg",
    reduced: { from: `${width}×${height}`, to: `${canvas.width}×${canvas.height}` },
  };
}

/** A small JPEG data URL for the recent list ("" when the image cannot be decoded). */
export async function thumbnail(blob, size = 96) {
  const bitmap = await decode(blob);
  if (!bitmap) return "";
  const scale = size / Math.max(bitmap.width, bitmap.height);
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return canvas.toDataURL("image/jpeg", 0.7);
}
