"""The web page's files: served from web/, nothing outside it, revalidated with an ETag."""

from __future__ import annotations

from pathlib import Path

import pytest

from local_stack.static import WEB_DIR, StaticFiles


@pytest.fixture
def static() -> StaticFiles:
    return StaticFiles(WEB_DIR, ["http://127.0.0.1:8001"])


def test_the_page_is_served_at_the_root_with_a_strict_policy(static: StaticFiles) -> None:
    response = static.respond("GET", "/", None)
    headers = dict(response.headers)
    assert response.status == 200 and b'<html lang="en">' in response.body
    assert headers["content-type"].startswith("text/html")
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self' http://127.0.0.1:8001" in policy  # the S3 uploads
    assert "media-src 'self' blob: http://127.0.0.1:8001" in policy  # the audio
    # wasm may compile (the on-device models) and the page is cross-origin isolated (threads)
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["cross-origin-embedder-policy"] == "credentialless"


def test_the_service_worker_may_keep_the_whole_page(static: StaticFiles) -> None:
    response = static.respond("GET", "/web/sw.js", None)
    assert response.status == 200
    assert dict(response.headers)["service-worker-allowed"] == "/"
    assert "service-worker-allowed" not in dict(
        static.respond("GET", "/web/js/app.js", None).headers
    )


def test_modules_have_a_javascript_type_and_an_etag_that_revalidates(static: StaticFiles) -> None:
    first = static.respond("GET", "/web/js/app.js", None)
    headers = dict(first.headers)
    assert first.status == 200 and headers["content-type"].startswith("text/javascript")
    again = static.respond("GET", "/web/js/app.js", headers["etag"])
    assert again.status == 304 and again.body == b""


@pytest.mark.parametrize(
    "path",
    [
        "/web/../local_stack/static.py",
        "/web/js/../../README.md",
        "/web/.hidden",
        "/web/",
        "/web/missing.js",
        "/web//etc/passwd",
    ],
)
def test_nothing_outside_web_or_hidden_is_served(static: StaticFiles, path: str) -> None:
    assert static.respond("GET", path, None).status == 404


def test_every_asset_the_page_links_exists() -> None:
    # GIVEN the page and its modules WHEN each referenced /web/ path is resolved THEN it exists
    import re

    texts = [p.read_text() for p in [WEB_DIR / "index.html", *WEB_DIR.glob("js/*.js")]]
    linked = {m for text in texts for m in re.findall(r'"/web/([^"]+)"', text)}
    imported = {f"js/{m}" for text in texts for m in re.findall(r'from "\./([^"]+)"', text)}
    assert linked and imported
    for relative in linked | imported:
        assert (WEB_DIR / relative).is_file(), relative
    assert Path(WEB_DIR / "js" / "app.js").is_file()
