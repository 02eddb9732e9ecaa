"""Which image `--containers` runs for each function (sam build shares one image per Dockerfile)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline_local import containers, template

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_functions_that_share_a_dockerfile_run_the_image_sam_tagged_for_the_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # GIVEN no sam build output, and the real template
    monkeypatch.setattr(containers, "BUILT_TEMPLATE", tmp_path / "missing.yaml")
    resources = template.load_template(REPO_ROOT / "template.yaml")["Resources"]

    # WHEN each function's image is looked up
    images = {
        name: containers.image_for(name, resources)
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
    }

    # THEN the jobs functions all run jobsapifunction:v1, the model functions their own image
    assert images["UploadTriggerFunction"] == "jobsapifunction:v1"
    assert images["RecordResultFunction"] == "jobsapifunction:v1"
    assert images["JobsApiFunction"] == "jobsapifunction:v1"
    assert images["CaptionFunction"] == "captionfunction:v1"
    assert images["SpeakFunction"] == "speakfunction:v1"


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
