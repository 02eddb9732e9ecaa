"""Which image `--containers` runs for each function (sam build shares one image per Dockerfile)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline_local import containers, template

REPO_ROOT = Path(__file__).resolve().parents[3]


def _function(dockerfile: str, comment: str = "") -> dict[str, Any]:
    metadata: dict[str, Any] = {"Dockerfile": dockerfile, "DockerContext": ".", "DockerTag": "v1"}
    if comment:
        metadata["checkov"] = {"skip": [{"id": "CKV_AWS_116", "comment": comment}]}
    return {"Type": "AWS::Serverless::Function", "Metadata": metadata}


def test_functions_with_the_same_metadata_run_the_image_sam_tagged_for_the_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # GIVEN no sam build output, and functions that share a Dockerfile; sam build compares the
    # whole Metadata (samcli FunctionBuildDefinition.__eq__), so one with other Metadata is apart
    monkeypatch.setattr(containers, "BUILT_TEMPLATE", tmp_path / "missing.yaml")
    resources = {
        "ApiFunction": _function("functions/jobs/Dockerfile"),
        "RecorderFunction": _function("functions/jobs/Dockerfile"),
        "QueueFunction": _function("functions/jobs/Dockerfile", comment="an SQS source"),
        "ModelFunction": _function("functions/caption/Dockerfile"),
    }

    # WHEN each function's image is looked up
    images = {name: containers.image_for(name, resources) for name in resources}

    # THEN functions with equal Metadata share the first one's image, the others have their own
    assert images == {
        "ApiFunction": "apifunction:v1",
        "RecorderFunction": "apifunction:v1",
        "QueueFunction": "queuefunction:v1",
        "ModelFunction": "modelfunction:v1",
    }


def test_every_function_of_the_template_has_an_image_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(containers, "BUILT_TEMPLATE", tmp_path / "missing.yaml")
    resources = template.load_template(REPO_ROOT / "template.yaml")["Resources"]
    functions = [n for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function"]
    for name in functions:
        image = containers.image_for(name, resources)
        assert image.endswith(":v1") and image[: -len(":v1")] in {f.lower() for f in functions}
    assert containers.image_for("CaptionFunction", resources) == "captionfunction:v1"


def test_the_built_template_is_the_truth_when_sam_build_wrote_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # GIVEN a built template (sam build's block YAML) that names another image
    built = tmp_path / "template.yaml"
    built.write_text(
        "Resources:\n"
        "  UploadTriggerFunction:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      ImageUri: custom:v9\n"
    )
    monkeypatch.setattr(containers, "BUILT_TEMPLATE", built)
    resources = template.load_template(REPO_ROOT / "template.yaml")["Resources"]

    # WHEN / THEN the built ImageUri wins; functions it does not list fall back to the rule
    assert containers.image_for("UploadTriggerFunction", resources) == "custom:v9"
    assert containers.image_for("RecordResultFunction", resources) == "jobsapifunction:v1"
