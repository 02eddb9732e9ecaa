"""The local API Gateway: an ASGI app that turns each request into the function invocation AWS
would make, and never runs model work on its event loop.

Every route of template.yaml's HTTP API becomes a payload-2.0 event for its function, invoked
in a worker thread (in process, or in the function's container through `sam local
start-lambda`). The event loop only moves bytes, so `/health` and every other request are
answered while a long `/speak` runs. The gateway itself also serves the web page (`/`, `/web/`),
the files of its "on this device" mode (`/edge/`, edge.py) and its own `/health`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from .edge import EdgeAssets
from .events import (
    INTEGRATION_TIMEOUT_S,
    MAX_HTTP_API_BODY_BYTES,
    MAX_INVOKE_PAYLOAD_BYTES,
    GatewayResponse,
    IncomingRequest,
    function_response,
    gateway_error,
    http_api_event,
)
from .routes import Route, allowed_methods, find_route
from .static import StaticFiles

log = logging.getLogger("local_stack")

# (function logical id, event) -> (payload, errored, logs), like moto_bridge.Functions.invoke
Invoke = Callable[[str, dict[str, Any]], tuple[str, bool, str]]


@dataclass
class GatewayStats:
    requests: int = 0
    invocations: int = 0
    function_errors: int = 0


class Gateway:
    def __init__(
        self,
        routes: list[Route],
        invoke: Invoke,
        executor: Executor,
        *,
        static: StaticFiles | None = None,
        edge: EdgeAssets | None = None,
        health: Callable[[], dict[str, Any]] | None = None,
        timeout_s: float = INTEGRATION_TIMEOUT_S,
    ) -> None:
        self.routes = routes
        self.invoke = invoke
        self.executor = executor
        self.static = static
        self.edge = edge
        self.health = health or (lambda: {})
        self.timeout_s = timeout_s
        self.stats = GatewayStats()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        self.stats.requests += 1
        method = str(scope["method"]).upper()
        path = str(scope["path"])
        target = "-"
        if method in ("GET", "HEAD") and path == "/health":
            response = self._health()
        elif self.static is not None and self.static.handles(method, path):
            response = self.static.respond(method, path, _header(scope, "if-none-match"))
        elif self.edge is not None and self.edge.handles(method, path):
            response = self.edge.respond(method, path, _header(scope, "if-none-match"))
        else:
            found = find_route(self.routes, method, path)
            if found is None:
                response = self._no_route(method, path)
            else:
                route, params = found
                target = route.function
                response = await self._integrate(scope, receive, route, params)
        await _send(send, response, head=method == "HEAD")
        log.info(
            "%s %s %d %.0f ms %s",
            method,
            path,
            response.status,
            (time.perf_counter() - started) * 1000,
            target,
        )

    def _health(self) -> GatewayResponse:
        body = {
            "status": "ok",
            "routes": [route.route_key for route in self.routes],
            "requests": self.stats.requests,
            "invocations": self.stats.invocations,
            **self.health(),
        }
        return GatewayResponse(200, [("content-type", "application/json")], _json(body))

    def _no_route(self, method: str, path: str) -> GatewayResponse:
        methods = allowed_methods(self.routes, path)
        if methods:  # API Gateway has no 405: an unmatched method is "Not Found" too
            log.debug("%s %s: the route exists for %s only", method, path, methods)
        return gateway_error(404, "Not Found")

    async def _integrate(
        self, scope: Scope, receive: Receive, route: Route, params: dict[str, str]
    ) -> GatewayResponse:
        body = await _read_body(receive, MAX_HTTP_API_BODY_BYTES)
        if body is None:
            return gateway_error(413, "Request Entity Too Large")
        request = IncomingRequest(
            method=str(scope["method"]).upper(),
            path=str(scope["path"]),
            raw_query=bytes(scope.get("query_string", b"")).decode("latin-1"),
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
            body=body,
            source_ip=(scope.get("client") or ("127.0.0.1", 0))[0],
        )
        domain = _header(scope, "host") or "localhost"
        event = http_api_event(
            request, route_key=route.route_key, path_parameters=params, domain=domain
        )
        if len(json.dumps(event)) > MAX_INVOKE_PAYLOAD_BYTES:
            # Lambda refuses a synchronous invocation this large, before the function runs.
            return gateway_error(413, "Request Entity Too Large")
        self.stats.invocations += 1
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.executor, self.invoke, route.function, event)
        try:
            payload, errored, _ = await asyncio.wait_for(
                asyncio.shield(future), timeout=self.timeout_s
            )
        except TimeoutError:
            return gateway_error(503, "Service Unavailable")
        if errored:
            self.stats.function_errors += 1
        return function_response(payload, errored)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.encode("latin-1")
    for key, value in scope.get("headers", []):
        if key.lower() == wanted:
            return bytes(value).decode("latin-1")
    return None


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _send(send: Send, response: GatewayResponse, *, head: bool = False) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    if not any(k.lower() == "content-length" for k, _ in response.headers):
        headers.append((b"content-length", str(len(response.body)).encode()))
    start: Message = {"type": "http.response.start", "status": response.status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": b"" if head else response.body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
