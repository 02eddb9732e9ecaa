"""Read what the local runner needs from template.yaml (CloudFormation tags tolerated).

The state machine's DefinitionSubstitutions decide which moto resource each ${Name} in the
ASL file becomes, so the local run executes the same definition, wired the same way, as AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .moto_bridge import REPO_ROOT

TEMPLATE_PATH = REPO_ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns `!GetAtt X.Arn`, `!Ref X`, `!Sub ...` into {"Fn::Tag": value}."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    return {name: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the local runner wires moto from it")
    document = yaml.load(path.read_text(), Loader=_CfnLoader)  # a SafeLoader subclass
    if not isinstance(document, dict) or "Resources" not in document:
        raise ValueError(f"{path} is not a CloudFormation/SAM template (no Resources)")
    return document


@dataclass(frozen=True)
class Reference:
    """What a substitution points at: a resource's ARN, a resource's Ref, or a literal."""

    kind: str  # "arn" (GetAtt X.Arn), "ref" (Ref X), "sub" (a !Sub string), "literal"
    target: str


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    environment: dict[str, Any]
    timeout: int
    memory_size: int
    s3_events: list[dict[str, Any]] = field(default_factory=list)
    # ImageConfig.Command: "<module>.<attribute>" inside the function's folder.
    handler: str = "app.handler"

    @property
    def module(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]


@dataclass(frozen=True)
class StateMachineSpec:
    logical_id: str
    definition_path: Path
    substitutions: dict[str, Reference]


def _reference(value: Any) -> Reference:
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            parts = target.split(".", 1) if isinstance(target, str) else list(target)
            if len(parts) == 2 and parts[1] == "Arn":
                return Reference("arn", parts[0])
            raise ValueError(f"unsupported GetAtt in DefinitionSubstitutions: {target!r}")
        if "Ref" in value:
            return Reference("ref", str(value["Ref"]))
        if "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
            return Reference("sub", value["Fn::Sub"])
        raise ValueError(f"unsupported intrinsic in DefinitionSubstitutions: {value!r}")
    return Reference("literal", str(value))


PIPELINE_STATE_MACHINE = "PipelineStateMachine"
STATE_MACHINE_TYPES = ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine")


def state_machines(template: dict[str, Any]) -> dict[str, StateMachineSpec]:
    """Every state machine of the template, in template order."""
    found = {}
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") not in STATE_MACHINE_TYPES:
            continue
        props = resource.get("Properties", {})
        uri = props.get("DefinitionUri") or props.get("DefinitionS3Location")
        if not isinstance(uri, str):
            raise ValueError(f"{logical_id}: DefinitionUri must be a local path")
        subs = {
            name: _reference(value)
            for name, value in props.get("DefinitionSubstitutions", {}).items()
        }
        found[logical_id] = StateMachineSpec(logical_id, REPO_ROOT / uri, subs)
    if not found:
        raise ValueError("template.yaml has no state machine")
    return found


def state_machine(
    template: dict[str, Any], logical_id: str = PIPELINE_STATE_MACHINE
) -> StateMachineSpec:
    machines = state_machines(template)
    if logical_id not in machines:
        raise ValueError(f"template.yaml has no state machine {logical_id}: {sorted(machines)}")
    return machines[logical_id]


def parameter_default(template: dict[str, Any], name: str) -> str | None:
    """A template parameter's Default as text (what a deployment without overrides gets)."""
    parameter = (template.get("Parameters") or {}).get(name)
    if not isinstance(parameter, dict) or "Default" not in parameter:
        return None
    return str(parameter["Default"])


def functions(template: dict[str, Any]) -> dict[str, FunctionSpec]:
    globals_ = (template.get("Globals") or {}).get("Function", {})
    found = {}
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") not in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            continue
        props = resource.get("Properties", {})
        environment = {
            **((globals_.get("Environment") or {}).get("Variables") or {}),
            **((props.get("Environment") or {}).get("Variables") or {}),
        }
        s3_events = [
            event.get("Properties", {})
            for event in (props.get("Events") or {}).values()
            if event.get("Type") == "S3"
        ]
        found[logical_id] = FunctionSpec(
            logical_id=logical_id,
            environment=environment,
            timeout=int(props.get("Timeout", globals_.get("Timeout", 30))),
            memory_size=int(props.get("MemorySize", globals_.get("MemorySize", 1024))),
            s3_events=s3_events,
            handler=str(((props.get("ImageConfig") or {}).get("Command") or ["app.handler"])[0]),
        )
    return found


def s3_key_filter(event_properties: dict[str, Any]) -> list[dict[str, str]]:
    """SAM's `Filter: {S3Key: {Rules: [{Name: prefix, Value: uploads/}]}}` as S3 filter rules."""
    rules = ((event_properties.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
    return [{"Name": str(rule["Name"]).lower(), "Value": str(rule["Value"])} for rule in rules]


def bucket_name_patterns(template: dict[str, Any]) -> set[str]:
    """The BucketName expressions (e.g. a !Sub string) of the template's buckets."""
    patterns = set()
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::S3::Bucket":
            name = (resource.get("Properties") or {}).get("BucketName")
            if isinstance(name, dict) and isinstance(name.get("Fn::Sub"), str):
                patterns.add(name["Fn::Sub"])
            elif isinstance(name, str):
                patterns.add(name)
    return patterns
