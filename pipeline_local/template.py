"""Read what the local runner needs from template.yaml (CloudFormation tags tolerated).

The state machine's DefinitionSubstitutions decide which moto resource each ${Name} in the
ASL file becomes, so the local run executes the same definition, wired the same way, as AWS.
"""

from __future__ import annotations

from dataclasses import dataclass
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
        found[logical_id] = FunctionSpec(
            logical_id=logical_id,
            environment=environment,
            timeout=int(props.get("Timeout", globals_.get("Timeout", 30))),
            memory_size=int(props.get("MemorySize", globals_.get("MemorySize", 1024))),
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


# ---- uploads: bucket -> queue -> event source mapping -> trigger function --------------------


@dataclass(frozen=True)
class QueueSpec:
    logical_id: str
    attributes: dict[str, str]  # SQS CreateQueue attributes, RedrivePolicy without its ARN
    dead_letter_queue: str | None  # logical id of the RedrivePolicy's target
    max_receive_count: int | None


@dataclass(frozen=True)
class QueueNotification:
    queue: str  # logical id of the queue
    events: list[str]
    filter_rules: list[dict[str, str]]


@dataclass(frozen=True)
class EventSourceSpec:
    queue: str  # logical id
    function: str  # logical id
    batch_size: int
    report_batch_item_failures: bool
    maximum_concurrency: int


_QUEUE_ATTRIBUTES = {
    "VisibilityTimeout": "VisibilityTimeout",
    "MessageRetentionPeriod": "MessageRetentionPeriod",
    "DelaySeconds": "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
}


def _target(value: Any) -> str:
    """The logical id behind `!GetAtt X.Arn` or `!Ref X`."""
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        return str(target.split(".", 1)[0] if isinstance(target, str) else target[0])
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    raise ValueError(f"expected !GetAtt X.Arn or !Ref X, got {value!r}")


def queues(template: dict[str, Any]) -> dict[str, QueueSpec]:
    found = {}
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::SQS::Queue":
            continue
        props = resource.get("Properties") or {}
        attributes = {
            name: str(props[key]) for key, name in _QUEUE_ATTRIBUTES.items() if key in props
        }
        redrive = props.get("RedrivePolicy") or {}
        found[logical_id] = QueueSpec(
            logical_id=logical_id,
            attributes=attributes,
            dead_letter_queue=_target(redrive["deadLetterTargetArn"]) if redrive else None,
            max_receive_count=int(redrive["maxReceiveCount"]) if redrive else None,
        )
    return found


def media_bucket(template: dict[str, Any]) -> dict[str, Any]:
    """The properties of the template's one bucket."""
    buckets = [
        resource.get("Properties") or {}
        for resource in template["Resources"].values()
        if resource.get("Type") == "AWS::S3::Bucket"
    ]
    if len(buckets) != 1:
        raise ValueError(f"expected one bucket in template.yaml, found {len(buckets)}")
    return buckets[0]


def bucket_versioned(template: dict[str, Any]) -> bool:
    versioning = media_bucket(template).get("VersioningConfiguration") or {}
    return versioning.get("Status") == "Enabled"


def queue_notifications(template: dict[str, Any]) -> list[QueueNotification]:
    configuration = media_bucket(template).get("NotificationConfiguration") or {}
    return [
        QueueNotification(
            queue=_target(item["Queue"]),
            events=[str(item["Event"])],
            filter_rules=s3_key_filter(item),
        )
        for item in configuration.get("QueueConfigurations") or []
    ]


def event_sources(template: dict[str, Any]) -> list[EventSourceSpec]:
    found = []
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::Lambda::EventSourceMapping":
            continue
        props = resource.get("Properties") or {}
        found.append(
            EventSourceSpec(
                queue=_target(props["EventSourceArn"]),
                function=_target(props["FunctionName"]),
                batch_size=int(props.get("BatchSize", 10)),
                report_batch_item_failures="ReportBatchItemFailures"
                in (props.get("FunctionResponseTypes") or []),
                maximum_concurrency=int(
                    (props.get("ScalingConfig") or {}).get("MaximumConcurrency", 2)
                ),
            )
        )
    return found
