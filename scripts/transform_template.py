"""template.yaml -> the CloudFormation template SAM would deploy (samtranslator, offline).

Runs under SAM CLI's own Python (`.tools/sam/bin/python scripts/transform_template.py OUT`),
which ships samtranslator. No AWS call is made: managed policies are named, not looked up.
Used by checkov (`make checkov`), the IAM wildcard test and the deploy rehearsal.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

REPO_ROOT = Path(__file__).resolve().parents[1]
# What `sam deploy --resolve-image-repos` fills in after pushing each image (placeholder here).
IMAGE_REPOSITORY = "123456789012.dkr.ecr.us-east-1.amazonaws.com/image-to-speech"


class OfflinePolicies:
    """SAM asks IAM for the ARNs of managed policies named in `Policies:`; this template names
    none (only inline statements), so an empty map is the truth, not a shortcut."""

    def load(self) -> dict[str, str]:
        return {}


def packaged(template: dict[str, Any]) -> dict[str, Any]:
    """What `sam package` hands CloudFormation: an image URI per function, and the state
    machine definition inline (instead of uploading statemachine/*.asl.json to S3)."""
    for logical_id, resource in template["Resources"].items():
        properties = resource.setdefault("Properties", {})
        if (
            resource["Type"] == "AWS::Serverless::Function"
            and properties.get("PackageType") == "Image"
        ):
            properties.setdefault("ImageUri", f"{IMAGE_REPOSITORY}:{logical_id.lower()}-v1")
        if resource["Type"] == "AWS::Serverless::StateMachine" and "DefinitionUri" in properties:
            path = REPO_ROOT / properties.pop("DefinitionUri")
            properties["Definition"] = json.loads(path.read_text())
    return template


def main(argv: list[str]) -> int:
    # Pseudo parameters (AWS::Region, AWS::Partition) come from boto3's default region.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    out = Path(argv[1]) if len(argv) > 1 else REPO_ROOT / ".cache" / "deploy" / "template.json"
    template = yaml_parse((REPO_ROOT / "template.yaml").read_text())
    # passthrough_metadata: checkov's inline skips stay on the generated Lambda functions.
    transformed = transform(
        packaged(template),
        {},
        OfflinePolicies(),
        passthrough_metadata=True,  # type: ignore[arg-type]
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(transformed, indent=1, sort_keys=True))
    print(f"transformed template: {out} ({len(transformed['Resources'])} resources)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
