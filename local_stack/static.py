"""The web page's files for the local stack's gateway: the shared logic
(image_to_speech/web.py, also served by the job API on AWS) answered as gateway responses.

Read from disk on each request (edit a file, reload the page: no build step, no restart).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from image_to_speech.web import is_page_path, page_file

from .events import GatewayResponse

WEB_DIR = Path(__file__).resolve().parents[1] / "web"


@dataclass
class StaticFiles:
    root: Path
    s3_origins: list[str]

    def handles(self, method: str, path: str) -> bool:
        return method in ("GET", "HEAD") and is_page_path(path)

    def respond(self, method: str, path: str, if_none_match: str | None) -> GatewayResponse:
        answer = page_file(self.root, method, path, if_none_match, self.s3_origins)
        return GatewayResponse(answer.status, answer.headers, answer.body)
