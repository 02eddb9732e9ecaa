"""No IAM statement of the deployed template allows a wildcard action or resource.

Checked on the TRANSFORMED template (what SAM generates: roles, inline policies, managed
policy attachments), so generated policies are covered too, e.g. SAM's LambdaInvokePolicy,
which would allow `function:<name>*`.
"""

from __future__ import annotations

import json
from typing import Any

# The only statement that may name "*": Step Functions' log delivery APIs accept no resource
# ARN (AWS documents "*" as the only form); template.yaml explains it where it is written.
LOG_DELIVERY_ACTIONS = {
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
}
# AWS managed policies SAM attaches by itself: Lambda's basic logging (its own log group) and
# X-Ray's write-only access (the X-Ray APIs take no resource).
MANAGED_POLICIES = {"AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"}


def statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for logical_id, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        documents = []
        if resource["Type"] == "AWS::IAM::Role":
            documents = [p["PolicyDocument"] for p in props.get("Policies", [])]
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            documents.append(props["PolicyDocument"])
        for document in documents:
            found.extend((logical_id, s) for s in document["Statement"])
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# The only "*" an ARN may hold: objects under one of our prefixes, or our pipeline's executions.
OWN_SCOPES = (
    "-media/uploads/*",
    "-media/audio/*",
    "-media/results/*",
    "-media/requests/*",
    "-media/cache/caption/*",
    "-media/cache/translate/*",
    "-media/cache/speak/*",
    ":execution:${AWS::StackName}-pipeline:*",
    "-media/results/batches/*",
    "-media/batches/*",  # a batch's input images (POST /batches, make batch)
    ":execution:${AWS::StackName}-batch/*",  # a Distributed Map's child workflows
    ":execution:${AWS::StackName}-batch:*",  # batches (GET /batches/{id} reads their progress)
    ":mapRun:${AWS::StackName}-batch/*",  # ... and their map runs (DescribeMapRun)
)


def has_wildcard(resource: Any) -> bool:
    text = json.dumps(resource)
    for scope in OWN_SCOPES:
        text = text.replace(scope, "")
    return "*" in text


def test_no_statement_allows_a_wildcard_action_or_resource(transformed: dict[str, Any]) -> None:
    found = statements(transformed)
    assert len(found) >= 10, "the roles' inline statements were not found"
    offenders = []
    for logical_id, statement in found:
        actions = set(as_list(statement["Action"]))
        if as_list(statement["Resource"]) == ["*"] and actions == LOG_DELIVERY_ACTIONS:
            continue
        if any("*" in action for action in actions) or has_wildcard(statement["Resource"]):
            offenders.append((logical_id, statement.get("Sid"), statement["Resource"]))
    assert offenders == []


def test_each_state_machine_may_invoke_exactly_its_functions(
    transformed: dict[str, Any],
) -> None:
    invoke = {
        logical_id: s["Resource"]
        for logical_id, s in statements(transformed)
        if "lambda:InvokeFunction" in as_list(s["Action"])
    }
    pipeline = ["CaptionFunction", "TranslateFunction", "SpeakFunction", "RecordResultFunction"]
    assert invoke == {
        "PipelineStateMachineRole": [{"Fn::GetAtt": [name, "Arn"]} for name in pipeline],
        "BatchStateMachineRole": [
            {"Fn::GetAtt": [name, "Arn"]} for name in (*pipeline, "BatchSummaryFunction")
        ],
    }


def test_only_the_expected_aws_managed_policies_are_attached(transformed: dict[str, Any]) -> None:
    attached = set()
    for resource in transformed["Resources"].values():
        for arn in resource.get("Properties", {}).get("ManagedPolicyArns", []):
            attached.add(json.dumps(arn).rsplit("/", 1)[-1].strip('"}'))
    assert attached == MANAGED_POLICIES
