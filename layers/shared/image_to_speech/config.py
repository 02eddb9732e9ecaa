"""Every setting this package reads, in ONE place, read once per process.

Values come from environment variables of the same name (template.yaml sets them on AWS; the
local runners set them for moto). Nothing else in this package reads `os.environ`
(tests/unit/image_to_speech/test_config.py enforces it). Missing settings are not errors here:
the code that needs one asks for it with `require_*`, which raises a ConfigurationError (503)
naming the variable, before any work is done.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import ConfigurationError

MAX_PRESIGN_EXPIRES_S = 7 * 24 * 3600  # SigV4 maximum
# Where `make models` writes bundles (repo/build/models); images set MODEL_BUNDLE_DIR instead.
REPO_MODELS_DIR = Path(__file__).resolve().parents[3] / "build" / "models"
_TRUE = frozenset({"1", "true", "yes", "on", "t", "y"})
_FALSE = frozenset({"0", "false", "no", "off", "f", "n"})


def _bounded(low: int, high: int) -> dict[str, Any]:
    return {"ge": low, "le": high}


@dataclass(frozen=True)
class Settings:
    """Field `bucket_name` <- variable BUCKET_NAME (any case), converted to the field's type.

    A plain dataclass, not pydantic: every cold start reads it, and building a pydantic model
    (let alone importing pydantic-settings, ~80 ms) cost a model function's init tens of
    milliseconds for a handful of scalars. Empty values mean unset for every field.
    """

    # ---- storage (S3) ----
    bucket_name: str | None = None
    uploads_prefix: str = "uploads/"
    audio_prefix: str = "audio/"
    results_prefix: str = "results/"
    requests_prefix: str = "requests/"  # a job's options, written by POST /jobs
    cache_prefix: str = "cache/"
    # The result cache (services/cache.py); CACHE_ENABLED=false turns it off for a deployment.
    cache_enabled: bool = True
    # Image libraries for batches (POST /batches); outside uploads/, so no S3 trigger fires.
    batches_prefix: str = "batches/"
    presign_expires_s: int = field(default=900, metadata=_bounded(1, MAX_PRESIGN_EXPIRES_S))
    # The endpoint boto3 talks to (a moto server locally); botocore reads the same variable.
    aws_endpoint_url: str | None = None
    # The endpoint *clients* reach when it differs (moto on the host, functions in containers):
    # the host is part of a SigV4 signature, so presigned URLs must name it.
    presign_endpoint_url: str | None = None

    # ---- pipeline (Step Functions) ----
    state_machine_arn: str | None = None
    batch_state_machine_arn: str | None = None

    # ---- models ----
    # One bundle per function image (/opt/model); else MODELS_DIR/<task>/<preset>.
    model_bundle_dir: Path | None = None
    models_dir: Path = REPO_MODELS_DIR
    caption_preset: str | None = None
    translate_preset: str | None = None
    speak_preset: str | None = None
    # onnxruntime intra-op threads (0 = every CPU this process may use) and spinning.
    ort_threads: int = field(default=0, metadata=_bounded(0, 64))
    ort_allow_spinning: bool = False

    # ---- serving ----
    # The web page's folder (web/): copied beside the package in the job API image.
    web_dir: Path | None = None
    # True on a local multi-client server: model calls leave the event loop (api/concurrency.py).
    model_calls_in_threads: bool = False

    # ---- observability (Powertools reads the same POWERTOOLS_* variables itself) ----
    powertools_service_name: str = "image-to-speech"
    powertools_metrics_namespace: str = "ImageToSpeech"
    powertools_trace_disabled: bool = False
    # Set by Lambda itself: tracing only means something inside a Lambda environment.
    aws_lambda_function_name: str | None = None

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> Settings:
        """Each field from the variable of the same name (case-insensitive); `overrides` win
        (and are taken as they are). A value that does not convert raises a
        ConfigurationError naming every such variable and what it allows."""
        variables = {name.lower(): value for name, value in (environ or os.environ).items()}
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for spec in fields(cls):
            if spec.name in overrides:
                values[spec.name] = overrides[spec.name]
            elif variables.get(spec.name, "") != "":  # empty: unset (template.yaml leaves some)
                try:
                    values[spec.name] = _convert(spec, variables[spec.name])
                except ValueError as exc:
                    problems[spec.name.upper()] = str(exc)
        if problems:
            raise ConfigurationError(
                "Invalid environment: "
                + "; ".join(f"{name}: {message}" for name, message in problems.items()),
                allowed=problems,
            )
        return cls(**values)

    @property
    def tracing_enabled(self) -> bool:
        return bool(self.aws_lambda_function_name) and not self.powertools_trace_disabled

    def preset_for(self, task: str) -> str | None:
        presets = {
            "caption": self.caption_preset,
            "translate": self.translate_preset,
            "speak": self.speak_preset,
        }
        return presets.get(task)

    def require_bucket(self) -> str:
        if not self.bucket_name:
            raise missing("BUCKET_NAME", "the S3 bucket for uploads, audio and results")
        return self.bucket_name

    def require_state_machine_arn(self) -> str:
        if not self.state_machine_arn:
            raise missing("STATE_MACHINE_ARN", "the ARN of the caption -> speak state machine")
        return self.state_machine_arn

    def require_batch_state_machine_arn(self) -> str:
        if not self.batch_state_machine_arn:
            raise missing("BATCH_STATE_MACHINE_ARN", "the ARN of the batch state machine")
        return self.batch_state_machine_arn


def _convert(spec: Field[Any], raw: str) -> Any:
    """One variable's string as its field's type (the annotations are strings here)."""
    kind = str(spec.type).replace(" | None", "")
    if kind == "str":
        return raw
    if kind == "Path":
        return Path(raw)
    if kind == "bool":
        if raw.strip().lower() in _TRUE:
            return True
        if raw.strip().lower() in _FALSE:
            return False
        raise ValueError(f"'{raw}' is not a boolean (true/false, 1/0, yes/no, on/off)")
    if kind == "int":
        try:
            number = int(raw.strip())
        except ValueError:
            raise ValueError(f"'{raw}' is not a whole number") from None
        low, high = spec.metadata.get("ge"), spec.metadata.get("le")
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(f"{number} is outside {low}..{high}")
        return number
    raise TypeError(f"Settings.{spec.name}: no conversion for {kind}")


def missing(variable: str, what: str) -> ConfigurationError:
    return ConfigurationError(
        f"{variable} is not set: it must name {what}. Locally, `make up` (or "
        "`python -m pipeline_local demo`) runs the whole system on moto with it set.",
        allowed={"required_environment": [variable]},
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_environment()


def reset_settings() -> None:
    """Read the environment again on next use (tests and local runners change it)."""
    get_settings.cache_clear()
