"""Deploy rehearsal: the transformed template created as a stack on moto's CloudFormation.

No AWS account is reachable here. moto creates what it models (functions, roles, queues,
bucket, state machine, log groups, event source mapping, topic, dashboard) and skips the rest
with a warning: AWS::ApiGatewayV2::*, AWS::CloudWatch::Alarm, AWS::SQS::QueuePolicy,
AWS::S3::BucketPolicy and AWS::Cognito::* (docs/deploy.md lists what this cannot check).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

STACK = "image-to-speech"
REGION = "us-east-1"
# What moto's CloudFormation does not model (skipped with a warning, so not checked here).
NOT_MODELLED = {
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Route",
    "AWS::CloudWatch::Alarm",
    "AWS::SQS::QueuePolicy",
    "AWS::S3::BucketPolicy",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
}
OUTPUTS = {
    "AuthMode",
    "BucketName",
    "UploadsQueueUrl",
    "UploadsDeadLetterQueueUrl",
    "AlarmTopicArn",
    "DashboardName",
    "StateMachineArn",
    "CaptionFunctionArn",
    "TranslateFunctionArn",
    "SpeakFunctionArn",
    "JobsApiFunctionArn",
    "UploadTriggerFunctionArn",
    "RecordResultFunctionArn",
}


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # moto warns once per resource type it skips
        yield


def substitutions_as_sub(template: dict[str, Any]) -> dict[str, Any]:
    """moto ignores a state machine's DefinitionSubstitutions; CloudFormation applies them as
    Fn::Sub applies its variable map, and moto does resolve Fn::Sub: rewrite them so."""
    template = json.loads(json.dumps(template))
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        if (
            resource["Type"] == "AWS::StepFunctions::StateMachine"
            and "DefinitionSubstitutions" in props
        ):
            props["DefinitionString"] = {
                "Fn::Sub": [joined(props["DefinitionString"]), props.pop("DefinitionSubstitutions")]
            }
    return template


def joined(value: Any) -> str:
    """SAM writes the inline definition as Fn::Join of its lines."""
    if isinstance(value, str):
        return value
    separator, parts = value["Fn::Join"]
    assert all(isinstance(part, str) for part in parts)
    return str(separator).join(parts)


def create_stack(template: dict[str, Any], **parameters: str) -> dict[str, Any]:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(
        StackName=STACK,
        TemplateBody=json.dumps(substitutions_as_sub(template)),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    stack: dict[str, Any] = cloudformation.describe_stacks(StackName=STACK)["Stacks"][0]
    resources = cloudformation.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    stack["resources"] = {r["LogicalResourceId"]: r for r in resources}
    stack["outputs"] = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return stack


def physical(stack: dict[str, Any], logical_id: str) -> str:
    return str(stack["resources"][logical_id]["PhysicalResourceId"])


@pytest.mark.slow
def test_the_stack_creates_with_every_resource_and_output(
    aws: None, transformed: dict[str, Any]
) -> None:
    # WHEN the transformed template is created as a stack with its default parameters
    stack = create_stack(transformed)
    # THEN it is complete, with every modelled resource created and every output present
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    expected = {
        logical_id
        for logical_id, resource in transformed["Resources"].items()
        if resource["Type"] not in NOT_MODELLED
    }
    created = {k for k, r in stack["resources"].items() if r["ResourceStatus"] == "CREATE_COMPLETE"}
    assert expected <= created, expected - created
    assert len(expected) >= 30
    assert set(stack["outputs"]) >= OUTPUTS, OUTPUTS - set(stack["outputs"])
    assert stack["outputs"]["AuthMode"] == "JWT" and "AuthWarning" not in stack["outputs"]

    # AND the state machine's substituted ARNs are the functions the stack created
    sfn = boto3.client("stepfunctions", region_name=REGION)
    machine = sfn.describe_state_machine(stateMachineArn=stack["outputs"]["StateMachineArn"])
    definition = json.loads(machine["definition"])
    lambda_client = boto3.client("lambda", region_name=REGION)
    for state, function in {
        "Caption": "CaptionFunction",
        "Translate": "TranslateFunction",
        "Speak": "SpeakFunction",
        "RecordSuccess": "RecordResultFunction",
        "RecordFailure": "RecordResultFunction",
    }.items():
        arn = definition["States"][state]["Parameters"]["FunctionName"]
        assert arn == stack["outputs"][f"{function}Arn"], state
        configuration = lambda_client.get_function(FunctionName=physical(stack, function))
        assert configuration["Configuration"]["FunctionArn"] == arn
    assert "${" not in machine["definition"]


@pytest.mark.slow
def test_the_created_resources_are_wired_as_designed(
    aws: None, transformed: dict[str, Any]
) -> None:
    stack = create_stack(transformed)
    outputs = stack["outputs"]
    lambda_client = boto3.client("lambda", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    logs = boto3.client("logs", region_name=REGION)

    # uploads: bucket -> queue (redrive to the DLQ) -> event source mapping -> trigger
    queue = sqs.get_queue_attributes(QueueUrl=outputs["UploadsQueueUrl"], AttributeNames=["All"])
    attributes = queue["Attributes"]
    dlq_arn = sqs.get_queue_attributes(
        QueueUrl=outputs["UploadsDeadLetterQueueUrl"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dlq_arn and int(redrive["maxReceiveCount"]) == 5
    trigger = lambda_client.get_function(FunctionName=physical(stack, "UploadTriggerFunction"))
    timeout = trigger["Configuration"]["Timeout"]
    assert int(attributes["VisibilityTimeout"]) >= 6 * timeout
    (mapping,) = lambda_client.list_event_source_mappings(
        FunctionName=physical(stack, "UploadTriggerFunction")
    )["EventSourceMappings"]
    assert mapping["EventSourceArn"] == attributes["QueueArn"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # (moto's CloudFormation applies none of the bucket's NotificationConfiguration,
    # VersioningConfiguration and LifecycleConfiguration: test_template.py checks them on
    # template.yaml, and the LocalPipeline tests run them, wired from the template.)

    # bounded cost: reserved concurrency on every function; speak stops with the API at 30 s
    for name in ("Caption", "Translate", "Speak", "JobsApi", "UploadTrigger", "RecordResult"):
        function = physical(stack, f"{name}Function")
        concurrency = lambda_client.get_function_concurrency(FunctionName=function)
        assert concurrency.get("ReservedConcurrentExecutions", 0) > 0, name
    speak = lambda_client.get_function(FunctionName=physical(stack, "SpeakFunction"))
    assert speak["Configuration"]["Timeout"] == 30

    # every log group exists with its retention
    groups = logs.describe_log_groups()["logGroups"]
    retention = {g["logGroupName"]: g.get("retentionInDays") for g in groups}
    for name in ("Caption", "Translate", "Speak", "JobsApi", "UploadTrigger", "RecordResult"):
        assert retention[f"/aws/lambda/{physical(stack, f'{name}Function')}"] == 30, name
    assert retention[f"/aws/vendedlogs/states/{STACK}-pipeline"] == 30
    assert retention[f"/aws/apigateway/{STACK}-api-access"] == 30


@pytest.mark.slow
def test_auth_mode_none_says_so_in_the_outputs(aws: None, transformed: dict[str, Any]) -> None:
    stack = create_stack(transformed, AuthMode="NONE", CaptionReservedConcurrency="-1")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["outputs"]["AuthMode"] == "NONE"
    assert re.search(r"every route .* is public", stack["outputs"]["AuthWarning"])
    # -1 leaves a function without a reservation
    lambda_client = boto3.client("lambda", region_name=REGION)
    caption = lambda_client.get_function_concurrency(
        FunctionName=physical(stack, "CaptionFunction")
    )
    assert "ReservedConcurrentExecutions" not in caption
