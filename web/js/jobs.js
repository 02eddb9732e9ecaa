// "As a job": POST /jobs for a presigned S3 upload, the browser uploads the image straight to
// S3 (the upload notification starts the Step Functions pipeline), then GET /jobs/{id} is polled.

import { ApiError, requestJson, sendForm } from "./api.js";

export const JOB_STAGES = ["caption", "translate", "speak"];
const POLL_START_MS = 150;
const POLL_MAX_MS = 1000;
// On AWS the upload notification arrives asynchronously: a job may be unknown for a moment.
const NOT_YET_STARTED_GRACE_MS = 15000;
const JOB_TIMEOUT_MS = 5 * 60 * 1000;

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new DOMException("aborted", "AbortError"));
    });
  });

/** Create the job and upload the image to S3. Resolves with the job id. */
export async function createAndUpload(state, listener, signal) {
  const started = performance.now();
  listener.stage("upload", "running", { where: "s3" });
  try {
    const created = await requestJson("/jobs", {
      method: "POST",
      body: { content_type: state.contentType },
      signal,
    });
    listener.job?.(created.job_id);
    const form = new FormData();
    for (const [name, value] of Object.entries(created.upload.fields)) form.append(name, value);
    form.append("file", state.image, state.imageName || "image"); // S3 wants the file last
    await sendForm(created.upload.url, form, {
      expects: "s3",
      signal,
      onUploadProgress: (sent, total) => listener.progress("upload", sent, total),
    });
    listener.stage("upload", "done", { where: "s3", ms: performance.now() - started });
    return created.job_id;
  } catch (error) {
    listener.stage("upload", "failed", { where: "s3", ms: performance.now() - started });
    throw error;
  }
}

/** Poll GET /jobs/{id} until it ends; stages are reported as the API reveals them. */
export async function followJob(jobId, listener, signal) {
  const started = performance.now();
  let wait = POLL_START_MS;
  let shown = "caption";
  listener.stage(shown, "running", { where: "pipeline" });
  for (;;) {
    let status;
    try {
      status = await requestJson(`/jobs/${encodeURIComponent(jobId)}`, { signal });
    } catch (error) {
      const young = performance.now() - started < NOT_YET_STARTED_GRACE_MS;
      if (!(error instanceof ApiError && error.status === 404 && young)) throw error;
      status = { status: "PENDING" };
    }
    if (status.stages) shown = applyStages(status.stages, listener) ?? shown;
    if (status.status === "SUCCEEDED") {
      finishStages(status, listener);
      return status;
    }
    if (status.status === "FAILED") {
      const step = status.error?.step;
      for (const id of JOB_STAGES) {
        if (id === step) {
          listener.stage(id, "failed", { where: "pipeline", ms: status.durations_ms?.[id]?.state_ms });
          break;
        }
        listener.stage(id, "done", stageInfo(status, id));
      }
      throw new ApiError({
        kind: "job",
        code: status.error?.type || "",
        message: status.error?.reason || "",
        allowed: step || null,
      });
    }
    if (performance.now() - started > JOB_TIMEOUT_MS) {
      throw new ApiError({ kind: "timeout", message: String(JOB_TIMEOUT_MS) });
    }
    await sleep(wait, signal);
    wait = Math.min(POLL_MAX_MS, wait * 1.5);
  }
}

function stageInfo(status, id) {
  const timing = status.durations_ms?.[id] || {};
  return {
    where: "pipeline",
    ms: timing.state_ms ?? timing.function_ms,
    modelMs: timing.function_ms,
    cached: status.cached?.[id] === true,
  };
}

function finishStages(status, listener) {
  for (const id of JOB_STAGES) listener.stage(id, "done", stageInfo(status, id));
}

// Per-stage progress while the job runs, when the API reports it:
// "stages": {"caption": {"status": "SUCCEEDED", "ms": 120, "function_ms": 20}, ...}
function applyStages(stages, listener) {
  let running = null;
  for (const id of JOB_STAGES) {
    const stage = stages[id];
    if (!stage) continue;
    if (stage.status === "SUCCEEDED") {
      listener.stage(id, "done", { where: "pipeline", ms: stage.ms, modelMs: stage.function_ms });
    } else if (stage.status === "RUNNING") {
      listener.stage(id, "running", { where: "pipeline" });
      running = id;
    }
  }
  return running;
}

export async function fetchJob(jobId) {
  return requestJson(`/jobs/${encodeURIComponent(jobId)}`);
}
