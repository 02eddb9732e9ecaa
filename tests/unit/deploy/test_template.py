"""template.yaml itself: what the deploy rehearsal cannot check on moto (routes and their
authorization, CORS, alarms, bucket notification, versioning and lifecycle), and the
operational rules that must hold whatever the parameters."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline_local import template as tmpl

PROTECTED_ROUTES = {
    "POST /caption",
    "POST /translate",
    "POST /speak",
    "POST /jobs",
    "GET /jobs/{id}",
    "POST /batches",
    "GET /batches/{id}",
}
HEALTH_ROUTES = {"GET /caption/health", "GET /translate/health", "GET /speak/health"}
PAGE_ROUTES = {"GET /", "GET /web/{proxy+}"}  # the web page's static files
AUTH_BY_MODE = {"Fn::If": ["AuthJwt", "JWT", {"Fn::If": ["AuthIam", "AWS_IAM", "NONE"]}]}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return tmpl.load_template()


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource.get("Properties", {})
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == kind
    }


def test_auth_is_secure_by_default_and_only_health_routes_are_public(
    template: dict[str, Any],
) -> None:
    assert template["Parameters"]["AuthMode"]["Default"] == "JWT"
    assert template["Parameters"]["AuthMode"]["AllowedValues"] == ["JWT", "IAM", "NONE"]
    routes = {p["RouteKey"]: p for p in of_type(template, "AWS::ApiGatewayV2::Route").values()}
    assert set(routes) == PROTECTED_ROUTES | HEALTH_ROUTES | PAGE_ROUTES
    for key in PROTECTED_ROUTES:
        assert routes[key]["AuthorizationType"] == AUTH_BY_MODE, key
        assert routes[key]["AuthorizerId"] == {
            "Fn::If": ["AuthJwt", {"Ref": "JwtAuthorizer"}, {"Ref": "AWS::NoValue"}]
        }
    for key in HEALTH_ROUTES | PAGE_ROUTES:
        assert routes[key]["AuthorizationType"] == "NONE", key
    assert "AuthWarning" in template["Outputs"]
    assert template["Outputs"]["AuthWarning"]["Condition"] == "AuthNone"


def test_users_cannot_sign_themselves_up(template: dict[str, Any]) -> None:
    (pool,) = of_type(template, "AWS::Cognito::UserPool").values()
    assert pool["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}


def test_cors_allows_only_the_configured_origin(template: dict[str, Any]) -> None:
    (api,) = of_type(template, "AWS::ApiGatewayV2::Api").values()
    when, cors, otherwise = api["CorsConfiguration"]["Fn::If"]
    assert when == "HasCorsOrigin" and otherwise == {"Ref": "AWS::NoValue"}
    assert cors["AllowOrigins"] == [{"Ref": "CorsAllowedOrigin"}]
    assert template["Parameters"]["CorsAllowedOrigin"]["Default"] == ""


def test_speak_stops_when_the_api_does(template: dict[str, Any]) -> None:
    speak = template["Resources"]["SpeakFunction"]["Properties"]
    integration = template["Resources"]["SpeakIntegration"]["Properties"]
    assert speak["Timeout"] == integration["TimeoutInMillis"] / 1000 == 30


def test_uploads_go_through_a_queue_with_a_dead_letter_queue(template: dict[str, Any]) -> None:
    (notification,) = tmpl.queue_notifications(template)
    (source,) = tmpl.event_sources(template)
    queue = tmpl.queues(template)[notification.queue]
    assert source.queue == notification.queue and source.function == "UploadTriggerFunction"
    assert source.report_batch_item_failures
    assert notification.filter_rules == [{"Name": "prefix", "Value": "uploads/"}]
    assert queue.dead_letter_queue is not None and queue.max_receive_count == 5
    trigger_timeout = tmpl.functions(template)["UploadTriggerFunction"].timeout
    assert int(queue.attributes["VisibilityTimeout"]) >= 6 * trigger_timeout
    # a standard queue keeps a message's first enqueue time in the DLQ: keep it longer there
    dead = tmpl.queues(template)[queue.dead_letter_queue]
    assert int(dead.attributes["MessageRetentionPeriod"]) > int(
        queue.attributes["MessageRetentionPeriod"]
    )


def test_results_expire_with_their_audio_and_the_bucket_is_versioned(
    template: dict[str, Any],
) -> None:
    assert tmpl.bucket_versioned(template)
    rules = tmpl.media_bucket(template)["LifecycleConfiguration"]["Rules"]
    days = {r.get("Prefix"): r.get("ExpirationInDays") for r in rules if r.get("Prefix")}
    assert days["results/"] == days["audio/"]
    assert any("NoncurrentVersionExpiration" in r for r in rules)


def test_every_function_has_a_log_group_with_retention_and_bounded_concurrency(
    template: dict[str, Any],
) -> None:
    groups = of_type(template, "AWS::Logs::LogGroup").values()
    names = [g["LogGroupName"]["Fn::Sub"] for g in groups]
    assert all(g["RetentionInDays"] == {"Ref": "LogRetentionDays"} for g in groups)
    for function in tmpl.functions(template):
        assert f"/aws/lambda/${{{function}}}" in names, function
        reserved = template["Resources"][function]["Properties"]["ReservedConcurrentExecutions"]
        assert reserved["Fn::If"][0].endswith("Reserved"), function
    stage = template["Resources"]["HttpApiStage"]["Properties"]
    assert stage["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": "ApiAccessLogGroup.Arn"}
    machine = template["Resources"]["PipelineStateMachine"]["Properties"]
    assert machine["Logging"]["Level"] in ("ERROR", "ALL") and machine["Tracing"]["Enabled"]


def test_every_alarm_notifies_the_topic_and_the_required_alarms_exist(
    template: dict[str, Any],
) -> None:
    alarms = of_type(template, "AWS::CloudWatch::Alarm")
    topic = {"Fn::If": ["CreateAlarmTopic", {"Ref": "AlarmTopic"}, {"Ref": "AlarmTopicArn"}]}
    assert all(a["AlarmActions"] == [topic] for a in alarms.values())
    metrics = {(a.get("Namespace"), a.get("MetricName"), _dimension(a)) for a in alarms.values()}
    for function in tmpl.functions(template):
        assert ("AWS/Lambda", "Errors", function) in metrics, function
        assert ("AWS/Lambda", "Throttles", function) in metrics, function
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "UploadsDeadLetterQueue") in metrics
    assert ("AWS/ApiGateway", "5xx", "HttpApi") in metrics
    assert "PipelineFailedExecutionsAlarm" in alarms


def _dimension(alarm: dict[str, Any]) -> str | None:
    dimensions = alarm.get("Dimensions") or []
    if not dimensions:
        return None
    value = dimensions[0]["Value"]
    for key in ("Ref", "Fn::GetAtt"):
        if isinstance(value, dict) and key in value:
            target = value[key]
            return str(target.split(".")[0] if isinstance(target, str) else target[0])
    return str(value)


def test_the_dashboard_shows_per_stage_latency_from_the_functions_metrics(
    template: dict[str, Any],
) -> None:
    body = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    for metric in ("InferenceMs", "ModelLoadMs", "ColdStart"):
        assert f'["ImageToSpeech", "{metric}"' in body, metric
    for service in ("caption", "translate", "speak"):
        assert f'"InferenceMs", "service", "{service}"' in body, service
