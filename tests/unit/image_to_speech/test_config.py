"""config.py: one Settings object, read once, reset for tests; nothing else reads os.environ."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from image_to_speech.config import Settings, get_settings
from image_to_speech.errors import ConfigurationError

from tests.helpers.interpreter import fresh_interpreter_output
from tests.unit.image_to_speech.conftest import Environment

PACKAGE = Path(__file__).resolve().parents[3] / "layers" / "shared" / "image_to_speech"


def test_read_once_until_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    from image_to_speech.config import reset_settings

    reset_settings()
    first = get_settings()
    monkeypatch.setenv("AUDIO_PREFIX", "speech/")
    assert get_settings() is first and first.audio_prefix == "audio/"
    reset_settings()
    try:
        assert get_settings().audio_prefix == "speech/"
    finally:
        monkeypatch.undo()
        reset_settings()


def test_empty_variables_count_as_unset(environment: Environment) -> None:
    """template.yaml declares AWS_ENDPOINT_URL empty under `sam local`: that means unset."""
    environment.setenv("AWS_ENDPOINT_URL", "")
    environment.setenv("STATE_MACHINE_ARN", "")
    settings = get_settings()
    assert settings.aws_endpoint_url is None
    with pytest.raises(ConfigurationError) as caught:
        settings.require_state_machine_arn()
    assert caught.value.allowed == {"required_environment": ["STATE_MACHINE_ARN"]}


@pytest.mark.parametrize("value", ["0", "-5", "999999999", "soon"])
def test_invalid_values_are_configuration_errors(environment: Environment, value: str) -> None:
    environment.setenv("PRESIGN_EXPIRES_S", value)
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert "PRESIGN_EXPIRES_S" in caught.value.message


def test_tracing_only_inside_lambda(environment: Environment) -> None:
    environment.delenv("POWERTOOLS_TRACE_DISABLED", raising=False)
    environment.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    assert not get_settings().tracing_enabled
    environment.setenv("AWS_LAMBDA_FUNCTION_NAME", "caption")
    from image_to_speech.config import reset_settings

    reset_settings()
    assert get_settings().tracing_enabled


def _reads_environment(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv"):
            lines.append(node.lineno)
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in ("environ", "getenv") for alias in node.names)
        ):
            lines.append(node.lineno)
    return lines


def test_nothing_but_config_reads_the_environment() -> None:
    """GIVEN every module of the shared package WHEN parsed THEN only config.py (through
    Settings.from_environment) reads environment variables."""
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        lines = _reads_environment(ast.parse(path.read_text(), str(path)))
        if lines and path.name != "config.py":
            offenders[str(path.relative_to(PACKAGE))] = lines
    assert offenders == {}


def test_settings_come_from_variables_of_any_case_and_overrides_win() -> None:
    # GIVEN variables as the environment holds them (strings, any case, some empty)
    environ = {
        "bucket_name": "my-bucket",
        "CACHE_ENABLED": "false",
        "ORT_THREADS": "2",
        "STATE_MACHINE_ARN": "",
        "UNRELATED": "x",
    }
    # WHEN the settings are read, with one override
    settings = Settings.from_environment(environ, presign_expires_s=60)
    # THEN each string was converted, empty means unset, and the override won
    assert settings.bucket_name == "my-bucket" and settings.cache_enabled is False
    assert settings.ort_threads == 2 and settings.state_machine_arn is None
    assert settings.presign_expires_s == 60 and settings.uploads_prefix == "uploads/"


def test_a_malformed_variable_is_refused_with_its_name() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_environment({"ORT_THREADS": "many", "CACHE_ENABLED": "perhaps"})
    assert caught.value.allowed == {
        "CACHE_ENABLED": "'perhaps' is not a boolean (true/false, 1/0, yes/no, on/off)",
        "ORT_THREADS": "'many' is not a whole number",
    }


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("cache_enabled", "TRUE", True),
        ("cache_enabled", "off", False),
        ("ort_threads", " 4 ", 4),
        ("model_bundle_dir", "/opt/model", Path("/opt/model")),
        ("bucket_name", "b", "b"),
    ],
)
def test_each_field_type_converts(name: str, raw: str, expected: object) -> None:
    assert getattr(Settings.from_environment({name.upper(): raw}), name) == expected


def test_bounds_are_checked_and_settings_are_frozen() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_environment({"ORT_THREADS": "65"})
    assert caught.value.allowed == {"ORT_THREADS": "65 is outside 0..64"}
    settings = Settings.from_environment({})
    with pytest.raises(AttributeError):
        settings.bucket_name = "other"  # type: ignore[misc]


def test_the_settings_do_not_import_pydantic() -> None:
    """Every cold start reads the settings: they must not pull pydantic in (tens of ms)."""
    code = "import sys, image_to_speech.config; print('pydantic' in sys.modules)"
    assert fresh_interpreter_output(code) == "False"
