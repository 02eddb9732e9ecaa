// Talking to the HTTP API and to S3. Every failure becomes an ApiError carrying the words the
// server chose: the API's JSON {"error", "message", "allowed"}, API Gateway's {"message"}, or
// S3's XML <Error><Message>.

export class ApiError extends Error {
  constructor({ status = 0, code = "", message = "", allowed = null, kind = "api" } = {}) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.allowed = allowed;
    this.kind = kind; // "api" | "network" | "s3" | "job" | "timeout"
  }
}

function errorFromJson(status, body) {
  if (body && typeof body === "object") {
    return new ApiError({
      status,
      code: body.error || "",
      message: body.message || "",
      allowed: body.allowed ?? null,
    });
  }
  return new ApiError({ status });
}

function errorFromS3(status, text) {
  const doc = new DOMParser().parseFromString(text || "<Error/>", "application/xml");
  const code = doc.querySelector("Code")?.textContent || "";
  const message = doc.querySelector("Message")?.textContent || "";
  return new ApiError({ status, code, message, kind: "s3" });
}

function parseJson(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** fetch() a JSON route; resolves with the parsed body or rejects with an ApiError. */
export async function requestJson(path, { method = "GET", body, signal } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      signal,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError({ kind: "network", message: String(error.message || error) });
  }
  const parsed = parseJson(await response.text());
  if (!response.ok) throw errorFromJson(response.status, parsed);
  return parsed;
}

/**
 * Send a FormData with XMLHttpRequest (fetch cannot report upload progress).
 * onUploadProgress(sent, total) while sending; onUploaded() once the last byte left.
 * expects: "json" (our API) or "s3" (a presigned POST: 204, errors in XML).
 */
export function sendForm(url, form, { onUploadProgress, onUploaded, expects = "json", signal } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onUploadProgress?.(event.loaded, event.total);
    });
    xhr.upload.addEventListener("load", () => onUploaded?.());
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(expects === "json" ? parseJson(xhr.responseText) : null);
      } else if (expects === "s3") {
        reject(errorFromS3(xhr.status, xhr.responseText));
      } else {
        reject(errorFromJson(xhr.status, parseJson(xhr.responseText)));
      }
    });
    xhr.addEventListener("error", () =>
      reject(new ApiError({ kind: expects === "s3" ? "s3" : "network" })),
    );
    xhr.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(form);
  });
}
