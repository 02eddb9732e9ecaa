"""API Gateway HTTP API (payload format 2.0): the event a request becomes, and back again.

The functions receive exactly what AWS hands them (Mangum turns it into ASGI inside the
function), so the local stack exercises the same code path as a deployment, containers included.
Limits that AWS enforces in front of the function are enforced here too.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

# A synchronous Lambda invocation carries at most 6 MB of request and of response (the image of
# POST /caption travels base64-encoded inside the event, so about 4.4 MB of image fit).
MAX_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024
# HTTP API refuses bodies over 10 MB before any integration runs.
MAX_HTTP_API_BODY_BYTES = 10 * 1024 * 1024
# HTTP API gives up on an integration after 30 s.
INTEGRATION_TIMEOUT_S = 30.0

_TEXT_MEDIA_PREFIXES = ("text/",)
_TEXT_MEDIA_TYPES = {
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
}


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class IncomingRequest:
    method: str
    path: str
    raw_query: str
    headers: list[tuple[str, str]]  # as received (any case, repeats allowed)
    body: bytes
    source_ip: str = "127.0.0.1"
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)


def is_text(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return (
        media.startswith(_TEXT_MEDIA_PREFIXES)
        or media in _TEXT_MEDIA_TYPES
        or (media.startswith("application/") and media.endswith("+json"))
    )


def http_api_event(
    request: IncomingRequest, *, route_key: str, path_parameters: dict[str, str], domain: str
) -> dict[str, Any]:
    """The payload-2.0 event API Gateway would send for this request."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        lower = name.lower()
        if lower == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[lower] = f"{headers[lower]},{value}" if lower in headers else value
    query: dict[str, str] = {}
    for name, value in parse_qsl(request.raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.path,
        "rawQueryString": request.raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0],
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request.request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if request.body:
        if is_text(headers.get("content-type", "")):
            try:
                event["body"] = request.body.decode("utf-8")
            except UnicodeDecodeError:
                event["body"] = base64.b64encode(request.body).decode("ascii")
                event["isBase64Encoded"] = True
        else:
            event["body"] = base64.b64encode(request.body).decode("ascii")
            event["isBase64Encoded"] = True
    return event


def gateway_error(status: int, message: str) -> GatewayResponse:
    """API Gateway's own answers ({"message": ...}), e.g. for a failed or missing integration."""
    body = json.dumps({"message": message}).encode()
    return GatewayResponse(status, [("content-type", "application/json")], body)


def function_response(payload: str, errored: bool) -> GatewayResponse:
    """What API Gateway makes of the function's answer (payload 2.0 rules)."""
    if errored:
        return gateway_error(500, "Internal Server Error")
    if len(payload.encode()) > MAX_INVOKE_PAYLOAD_BYTES:
        return gateway_error(500, "Internal Server Error")  # Lambda refuses the response
    try:
        result = json.loads(payload) if payload else None
    except json.JSONDecodeError:
        return gateway_error(500, "Internal Server Error")
    if not (isinstance(result, dict) and "statusCode" in result):
        # Format 2.0 infers a 200 JSON answer from anything without a statusCode.
        body = payload.encode() if isinstance(result, dict | list) else json.dumps(result).encode()
        return GatewayResponse(200, [("content-type", "application/json")], body)
    headers = [(str(k).lower(), str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name).lower(), str(v)) for v in values)
    headers.extend(("set-cookie", str(cookie)) for cookie in result.get("cookies") or [])
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode("utf-8")
    return GatewayResponse(int(result["statusCode"]), headers, body)
