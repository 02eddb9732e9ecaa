"""The web page's files (web/), served by the job API on AWS and by the local stack.

`/` is web/index.html and `/web/<path>` any other file of that folder; nothing outside it,
no hidden file and no unknown type is ever served. The page is kept to its own origin plus the
S3 endpoint it uploads to and plays audio from (Content-Security-Policy). One place for this
logic: api/web.py (FastAPI, in the job API function) and local_stack/static.py both use it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .config import get_settings

PREFIX = "/web/"
SERVICE_WORKER = "sw.js"
_PACKAGE = Path(__file__).resolve().parent
# In an image: /var/task/web beside /var/task/image_to_speech; in the repository: ./web.
_CANDIDATES = (_PACKAGE.parent / "web", _PACKAGE.parents[2] / "web")
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


def web_dir() -> Path | None:
    """WEB_DIR, else the first folder beside the package that holds the page."""
    configured = get_settings().web_dir
    if configured is not None:
        return configured
    return next((path for path in _CANDIDATES if (path / "index.html").is_file()), None)


def is_page_path(path: str) -> bool:
    return path in ("/", "/index.html") or path.startswith(PREFIX)


def file_for(root: Path, path: str) -> Path | None:
    """The file a page path names inside `root`, or None (never outside it)."""
    relative = "index.html" if path in ("/", "/index.html") else path[len(PREFIX) :]
    parts = relative.split("/")
    if not relative or any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    candidate = (root / relative).resolve()
    if root.resolve() not in candidate.parents or not candidate.is_file():
        return None
    return candidate if candidate.suffix.lower() in CONTENT_TYPES else None


def isolation_headers() -> list[tuple[str, str]]:
    """Cross-origin isolation, so the page's on-device models may use threads (wasm threads
    need SharedArrayBuffer). `credentialless`, not `require-corp`: the audio the page plays
    from S3 comes from another origin that sends no Cross-Origin-Resource-Policy header."""
    return [
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-embedder-policy", "credentialless"),
    ]


def content_security_policy(s3_origins: list[str]) -> str:
    s3 = " ".join(s3_origins)
    return "; ".join(
        [
            "default-src 'self'",
            # wasm-unsafe-eval: compiling WebAssembly (the on-device models), nothing else.
            "script-src 'self' 'wasm-unsafe-eval'",
            "worker-src 'self'",
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


@dataclass(frozen=True)
class PageFile:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def page_file(
    root: Path, method: str, path: str, if_none_match: str | None, s3_origins: list[str]
) -> PageFile:
    """The answer for one page request: the file with its ETag, a 304, or a 404."""
    found = file_for(root, path)
    if found is None:
        return PageFile(404, [("content-type", "application/json")], b'{"message":"Not Found"}')
    data = found.read_bytes()
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    headers = [
        ("content-type", CONTENT_TYPES[found.suffix.lower()]),
        ("etag", etag),
        # Revalidate every time: cheap (304) and a changed file is never served stale.
        ("cache-control", "no-cache"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        *isolation_headers(),
    ]
    if found.name == SERVICE_WORKER:
        # It lives under /web/ but keeps the whole page (/) available offline.
        headers.append(("service-worker-allowed", "/"))
    if found.suffix == ".html":
        headers.append(("content-security-policy", content_security_policy(s3_origins)))
    if if_none_match and etag in [tag.strip() for tag in if_none_match.split(",")]:
        return PageFile(304, headers, b"")
    headers.append(("content-length", str(len(data))))
    return PageFile(200, headers, b"" if method == "HEAD" else data)
