"""moto as an HTTP server in this process, answering browsers the way S3 does (CORS).

ThreadedMotoServer would do, except for CORS: moto's server adds `Access-Control-Allow-Origin:
*` to every answer of every service (flask-cors), so a page would work locally and fail on AWS
when the bucket has no CORS rules. Here that global CORS is off and the bucket's own rules
decide, as on S3: moto answers preflights from them itself, and BucketCorsMiddleware adds the
matching headers to the other answers (moto leaves them out of the browser-form POST answer,
which a page uploading with XMLHttpRequest must be able to read).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import moto.moto_server.werkzeug_app as moto_werkzeug_app
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.s3.models import s3_backends
from moto.s3.utils import cors_matches_origin
from werkzeug.serving import BaseWSGIServer, make_server

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def bucket_cors_rules(bucket_name: str) -> list[Any]:
    """The bucket's CORS rules as moto holds them ([] for no bucket or no rules)."""
    if not bucket_name:
        return []
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    bucket = backend.buckets.get(bucket_name)
    return list(getattr(bucket, "cors", None) or [])


def cors_headers(rules: list[Any], origin: str, method: str) -> list[tuple[str, str]]:
    """The headers S3 adds to a non-preflight answer: from the first rule that matches."""
    for rule in rules:
        if not cors_matches_origin(origin, rule.allowed_origins or []):
            continue
        if method.upper() not in [m.upper() for m in rule.allowed_methods or []]:
            continue
        headers = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        if rule.exposed_headers:
            headers.append(("Access-Control-Expose-Headers", ", ".join(rule.exposed_headers)))
        return headers
    return []


class BucketCorsMiddleware:
    """Adds the bucket's CORS headers to S3 answers that lack them (path-style requests)."""

    def __init__(self, app: WsgiApp, rules_for: Callable[[str], list[Any]] = bucket_cors_rules):
        self.app = app
        self.rules_for = rules_for

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        origin = environ.get("HTTP_ORIGIN")
        method = str(environ.get("REQUEST_METHOD", "GET"))
        if not origin or method == "OPTIONS":
            return self.app(environ, start_response)
        bucket = str(environ.get("PATH_INFO", "")).lstrip("/").split("/", 1)[0]

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if not any(name.lower() == "access-control-allow-origin" for name, _ in headers):
                headers = [*headers, *cors_headers(self.rules_for(bucket), origin, method)]
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


class MotoServer:
    """moto's server app (state shared with this process) on address:port, in a thread."""

    def __init__(self, address: str, port: int) -> None:
        self.address = address
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{self.address}:{self.port}"

    def start(self) -> None:
        moto_werkzeug_app.DISABLE_GLOBAL_CORS = True  # read when each service's app is built
        app = BucketCorsMiddleware(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self.address, self.port, app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"moto-{self.address}:{self.port}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
