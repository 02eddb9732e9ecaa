"""The web page's files (web/): `/` is web/index.html, `/web/<path>` any other file.

Read from disk on each request (edit a file, reload the page: no build step, no restart), with
an ETag so an unchanged file costs a 304, and headers that keep the page to its own origin plus
the S3 endpoint it uploads to and plays audio from (Content-Security-Policy).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .events import GatewayResponse

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
PREFIX = "/web/"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}


def content_security_policy(s3_origins: list[str]) -> str:
    s3 = " ".join(s3_origins)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' blob: data:",
            f"media-src 'self' blob: {s3}".strip(),
            f"connect-src 'self' {s3}".strip(),
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


@dataclass
class StaticFiles:
    root: Path
    s3_origins: list[str]

    def handles(self, method: str, path: str) -> bool:
        return method in ("GET", "HEAD") and (
            path in ("/", "/index.html") or path.startswith(PREFIX)
        )

    def file_for(self, path: str) -> Path | None:
        relative = "index.html" if path in ("/", "/index.html") else path[len(PREFIX) :]
        parts = relative.split("/")
        if not relative or any(part in ("", ".", "..") or part.startswith(".") for part in parts):
            return None
        candidate = (self.root / relative).resolve()
        root = self.root.resolve()
        if root not in candidate.parents or not candidate.is_file():
            return None
        if candidate.suffix.lower() not in CONTENT_TYPES:
            return None
        return candidate

    def respond(self, method: str, path: str, if_none_match: str | None) -> GatewayResponse:
        found = self.file_for(path)
        if found is None:
            body = b'{"message":"Not Found"}'
            return GatewayResponse(404, [("content-type", "application/json")], body)
        data = found.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        headers = [
            ("content-type", CONTENT_TYPES[found.suffix.lower()]),
            ("etag", etag),
            # Revalidate every time: cheap (304) and a changed file is never served stale.
            ("cache-control", "no-cache"),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "no-referrer"),
        ]
        if found.suffix == ".html":
            headers.append(("content-security-policy", content_security_policy(self.s3_origins)))
        if if_none_match and etag in [tag.strip() for tag in if_none_match.split(",")]:
            return GatewayResponse(304, headers, b"")
        headers.append(("content-length", str(len(data))))
        return GatewayResponse(200, headers, b"" if method == "HEAD" else data)
