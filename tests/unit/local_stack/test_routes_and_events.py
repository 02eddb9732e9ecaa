"""The local gateway's routing (from template.yaml) and its API Gateway payload-2.0 events."""

from __future__ import annotations

import base64
import json

from local_stack.events import (
    IncomingRequest,
    function_response,
    http_api_event,
)
from local_stack.routes import find_route, http_api_routes
from pipeline_local.template import load_template


def test_every_http_api_event_of_the_template_becomes_a_route() -> None:
    # GIVEN the project's template
    routes = http_api_routes(load_template())
    # THEN each documented route is served by the function the template names
    keys = {route.route_key: route.function for route in routes}
    assert keys["POST /caption"] == "CaptionFunction"
    assert keys["POST /translate"] == "TranslateFunction"
    assert keys["POST /speak"] == "SpeakFunction"
    assert keys["POST /jobs"].startswith("Job")
    assert keys["GET /jobs/{id}"].startswith("Job")
    assert {"GET /caption/health", "GET /translate/health", "GET /speak/health"} <= set(keys)


def test_a_route_matches_its_method_and_path_parameters_only() -> None:
    routes = http_api_routes(load_template())
    found = find_route(routes, "GET", "/jobs/0123abcd")
    assert found is not None and found[1] == {"id": "0123abcd"}
    assert find_route(routes, "GET", "/jobs/a/b") is None  # {id} is one segment
    assert find_route(routes, "GET", "/caption") is None  # the route is POST only
    assert find_route(routes, "POST", "/captions") is None


def _request(body: bytes, content_type: str) -> IncomingRequest:
    return IncomingRequest(
        method="POST",
        path="/caption",
        raw_query="num_beams=2&x=1&x=2",
        headers=[
            ("Content-Type", content_type),
            ("X-Thing", "a"),
            ("x-thing", "b"),
            ("Cookie", "one=1; two=2"),
        ],
        body=body,
        request_id="req-1",
    )


def test_binary_bodies_are_base64_encoded_and_headers_joined_as_api_gateway_does() -> None:
    # GIVEN a JPEG body, repeated headers and query parameters, and cookies
    jpeg = b"\xff\xd8\xff\xe0binary"
    event = http_api_event(
        _request(jpeg, "image/jpeg"),
        route_key="POST /caption",
        path_parameters={},
        domain="127.0.0.1:8000",
    )
    # THEN the event has payload 2.0's shape
    assert event["version"] == "2.0" and event["routeKey"] == "POST /caption"
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == jpeg
    assert event["headers"]["x-thing"] == "a,b"
    assert "cookie" not in event["headers"] and event["cookies"] == ["one=1", "two=2"]
    assert event["queryStringParameters"] == {"num_beams": "2", "x": "1,2"}
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["requestContext"]["requestId"] == "req-1"


def test_json_bodies_travel_as_text() -> None:
    body = json.dumps({"text": "Olá"}).encode()
    event = http_api_event(
        _request(body, "application/json; charset=utf-8"),
        route_key="POST /translate",
        path_parameters={},
        domain="localhost",
    )
    assert event["isBase64Encoded"] is False and json.loads(event["body"]) == {"text": "Olá"}


def test_function_answers_become_http_responses() -> None:
    # GIVEN a Mangum answer with a base64 body
    wav = b"RIFF....WAVE"
    answer = {
        "statusCode": 200,
        "headers": {"Content-Type": "audio/wav"},
        "cookies": ["a=1"],
        "body": base64.b64encode(wav).decode(),
        "isBase64Encoded": True,
    }
    response = function_response(json.dumps(answer), errored=False)
    assert response.status == 200 and response.body == wav
    assert ("content-type", "audio/wav") in response.headers
    assert ("set-cookie", "a=1") in response.headers
    # AND a function error is API Gateway's 500, a statusCode-less object an inferred 200
    assert function_response('{"errorType": "X"}', errored=True).status == 500
    inferred = function_response('{"ok": true}', errored=False)
    assert inferred.status == 200 and json.loads(inferred.body) == {"ok": True}
