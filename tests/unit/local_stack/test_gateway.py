"""The gateway answers while functions work: model calls never run on its event loop."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from local_stack.events import MAX_INVOKE_PAYLOAD_BYTES
from local_stack.gateway import Gateway
from local_stack.routes import http_api_routes
from pipeline_local.template import load_template


class SlowFunctions:
    """Stands in for the functions: blocks its thread like a model does, records events."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.threads: set[str] = set()

    def invoke(self, function: str, event: dict[str, Any]) -> tuple[str, bool, str]:
        self.events.append((function, event))
        self.threads.add(threading.current_thread().name)
        time.sleep(self.seconds)  # CPU-bound model work holds its thread the same way
        answer = {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": "{}"}
        return json.dumps(answer), False, ""


@pytest.fixture
def executor() -> Any:
    with ThreadPoolExecutor(4, thread_name_prefix="invoke") as pool:
        yield pool


def test_health_is_answered_while_a_slow_function_runs(executor: ThreadPoolExecutor) -> None:
    # GIVEN a gateway whose functions take 1 s
    functions = SlowFunctions(1.0)
    gateway = Gateway(http_api_routes(load_template()), functions.invoke, executor)

    async def scenario() -> tuple[float, float]:
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url="http://local") as client:
            started = time.perf_counter()
            slow = asyncio.create_task(client.post("/speak", json={"text": "Olá"}))
            await asyncio.sleep(0.05)
            health = await client.get("/health")
            health_s = time.perf_counter() - started
            assert health.status_code == 200 and health.json()["status"] == "ok"
            assert (await slow).status_code == 200
            return health_s, time.perf_counter() - started

    # WHEN /health is asked while /speak runs
    health_s, slow_s = asyncio.run(scenario())
    # THEN it is answered at once, long before the function returns, off the worker threads
    assert health_s < 0.5 < slow_s
    assert functions.threads and all(name.startswith("invoke") for name in functions.threads)
    function, event = functions.events[0]
    assert function == "SpeakFunction" and event["routeKey"] == "POST /speak"


def test_api_gateway_limits_and_errors(executor: ThreadPoolExecutor) -> None:
    functions = SlowFunctions(0.5)
    gateway = Gateway(http_api_routes(load_template()), functions.invoke, executor, timeout_s=0.1)

    async def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url="http://local") as c:
            return await c.request(method, path, **kwargs)

    # a route the template does not declare: API Gateway's 404
    missing = asyncio.run(call("GET", "/nowhere"))
    assert missing.status_code == 404 and missing.json() == {"message": "Not Found"}
    # an integration slower than the limit: 503, like HTTP API after 30 s
    late = asyncio.run(call("POST", "/translate", json={"text": "x"}))
    assert late.status_code == 503
    # an event over Lambda's 6 MB: refused before any function runs
    functions.events.clear()
    big = b"\xff\xd8\xff" + b"0" * (MAX_INVOKE_PAYLOAD_BYTES * 3 // 4 + 1024)
    refused = asyncio.run(
        call("POST", "/caption", content=big, headers={"content-type": "image/jpeg"})
    )
    assert refused.status_code == 413 and functions.events == []
