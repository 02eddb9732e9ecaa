"""The page in Chromium: a photo in both modes, errors in words, phone width, keyboard, pt-BR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from local_stack.process import StackProcess
from tests.conftest import photo_bytes

from .conftest import PHONE

DONE = "#result[data-state=done], #result[data-state=failed]"


@pytest.fixture(scope="module")
def cat_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("photos") / "chelsea.jpg"
    path.write_bytes(photo_bytes("chelsea"))
    return path


@pytest.fixture(scope="module")
def text_as_jpg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("photos") / "notes.jpg"
    path.write_text("shopping list: milk, eggs, coffee\n")
    return path


def run_image(page: Any, path: Path, mode: str) -> str:
    page.check(f"input[name=mode][value={mode}]")
    page.set_input_files("#file", str(path))
    page.wait_for_selector(DONE, timeout=120_000)
    return str(page.get_attribute("#result", "data-state"))


def stage_rows(page: Any) -> dict[str, dict[str, str]]:
    rows = page.eval_on_selector_all(
        "#stages li",
        """items => items.map(li => ({id: li.dataset.stage, state: li.dataset.state,
            time: li.querySelector('.time').textContent, text: li.textContent}))""",
    )
    return {row["id"]: row for row in rows}


def assert_spoken_cat(page: Any) -> None:
    caption = page.inner_text("#caption")
    translation = page.inner_text("#translation")
    assert "cat" in caption.lower()
    assert "gato" in translation.lower()
    assert page.get_attribute("#translation", "lang") == "pt-BR"
    assert page.get_attribute("#preview", "alt") == caption  # the description is the alt text
    audio = page.eval_on_selector(
        "#audio", "a => ({ready: a.readyState, duration: a.duration, error: a.error})"
    )
    assert audio["error"] is None and audio["ready"] >= 3  # HAVE_FUTURE_DATA: playable
    assert audio["duration"] > 1.0
    rows = stage_rows(page)
    for stage in ("upload", "caption", "translate", "speak"):
        assert rows[stage]["state"] == "done", rows
        # a time; the upload inside POST /caption shows its size instead
        assert rows[stage]["time"].endswith(("ms", " s", "KB")), rows[stage]


@pytest.mark.parametrize("mode", ["now", "job"])
def test_the_cat_photo_is_captioned_translated_and_spoken(
    page: Any, cat_photo: Path, mode: str, shots: Path
) -> None:
    # WHEN the photo of a cat is chosen in this mode
    state = run_image(page, cat_photo, mode)
    # THEN every stage completed with its time, the texts are shown and the audio plays
    assert state == "done", page.inner_text("#result")
    assert_spoken_cat(page)
    where = stage_rows(page)["caption"]["text"]
    assert ("on the server" if mode == "now" else "Step Functions") in where
    assert "Image to playable audio" in page.inner_text("#total")
    assert page.get_attribute("#upload-progress", "value") == "100"
    page.screenshot(path=str(shots / f"desktop-{mode}.png"), full_page=True)
    # AND the run is listed under recent ones, also after a reload
    page.reload()
    recent = page.inner_text("#recent")
    assert "gato" in recent.lower() and ("job" if mode == "job" else "now") in recent


@pytest.mark.parametrize("mode", ["now", "job"])
def test_the_same_photo_again_says_it_came_from_the_result_cache(
    page: Any, cat_photo: Path, mode: str
) -> None:
    # GIVEN the photo went through once (its caption, translation and speech are now cached)
    assert run_image(page, cat_photo, mode) == "done"
    # WHEN the same photo is given again
    page.reload()
    assert run_image(page, cat_photo, mode) == "done"
    # THEN each model stage says it was served from the cache, and its time's tooltip that no
    # model ran; the texts and the audio are the same as computed ones
    rows = stage_rows(page)
    for stage in ("caption", "translate", "speak"):
        assert "from the result cache" in rows[stage]["text"], rows[stage]
    cached = page.eval_on_selector_all(
        "#stages li[data-cached=yes]",
        "items => items.map(li => [li.dataset.stage, li.querySelector('.time').title])",
    )
    assert [stage for stage, _ in cached] == ["caption", "translate", "speak"]
    assert all(title == "Served from the result cache: no model ran" for _, title in cached)
    assert_spoken_cat(page)


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("now", "not a JPEG, PNG or WebP image"),
        ("job", "not a JPEG, PNG or WebP image"),
        ("device", "not a JPEG, PNG or WebP image"),  # checked in the browser, same words
    ],
)
def test_a_text_file_named_jpg_is_refused_in_words(
    page: Any, text_as_jpg: Path, mode: str, words: str
) -> None:
    assert run_image(page, text_as_jpg, mode) == "failed"
    error = page.locator("#error")
    assert error.is_visible()
    assert words in error.inner_text()
    assert page.get_attribute("#error", "role") == "alert"
    assert stage_rows(page)["caption"]["state"] == "failed"
    assert page.inner_text("#translation") == ""


def test_phone_width_in_portuguese(
    browser: Any, stack: StackProcess, cat_photo: Path, shots: Path
) -> None:
    # GIVEN a phone-size window whose browser prefers Brazilian Portuguese
    context = browser.new_context(
        viewport=PHONE, locale="pt-BR", base_url=stack.url, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto("/")
    # THEN the interface is in Portuguese and nothing is wider than the screen
    assert page.get_attribute("html", "lang") == "pt-BR"
    assert page.inner_text("h1") == "Imagem em voz"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # AND the whole run works there too
    assert run_image(page, cat_photo, "now") == "done"
    assert "gato" in page.inner_text("#translation").lower()
    assert page.get_attribute("#preview", "alt") == page.inner_text("#translation")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(shots / "phone-pt-BR.png"), full_page=True)
    # WHEN the visible switch is used THEN the page is in English, and stays so after a reload
    page.click("#language")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1") == "Image to speech"
    page.reload()
    assert page.get_attribute("html", "lang") == "en"
    context.close()


def test_keyboard_only(page: Any, cat_photo: Path) -> None:
    # Playwright turns on file-chooser interception lazily; a dialog opened before it is on
    # is silently dropped by headless Chromium: turn it on first (and wait for the round trip).
    page.on("filechooser", lambda chooser: None)
    page.evaluate("0")
    # GIVEN the page WHEN tabbing from the top THEN controls come in reading order
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate("(() => { const e = document.activeElement; return e.id || e.value; })()")
        )
    # (a fresh profile on a browser that can run the models has "On this device" checked)
    assert order == ["language", "device", "choose", "camera", "clear-recent"], order
    # AND arrow keys change the mode, Enter on the button opens the file chooser
    page.focus("input[value=now]")
    page.keyboard.press("ArrowRight")
    assert page.is_checked("input[value=job]")
    page.keyboard.press("Tab")  # from the checked radio to the first button
    assert page.evaluate("document.activeElement.id") == "choose"
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(cat_photo))
    page.wait_for_selector(DONE, timeout=120_000)
    assert page.get_attribute("#result", "data-state") == "done"
    # AND the stage updates are announced to screen readers
    assert page.get_attribute("#live", "aria-live") == "polite"
    assert page.inner_text("#live")


def test_the_camera_button_asks_for_the_rear_camera(page: Any) -> None:
    assert page.get_attribute("#camera-file", "capture") == "environment"
    assert page.get_attribute("#camera-file", "accept") == "image/*"
    for control in ("#file", "#camera-file"):  # opened by the labelled buttons
        assert page.locator(control).is_hidden()


@pytest.mark.parametrize("gesture", ["drop", "paste"])
def test_an_image_can_be_dropped_or_pasted(page: Any, cat_photo: Path, gesture: str) -> None:
    # GIVEN the photo as a File in a DataTransfer, as the browser builds it for a drop or paste
    page.check("input[name=mode][value=now]")
    data = list(cat_photo.read_bytes())
    page.evaluate(
        """([bytes, gesture]) => {
            const transfer = new DataTransfer();
            const file = new File([new Uint8Array(bytes)], "cat.jpg", { type: "image/jpeg" });
            transfer.items.add(file);
            const event = gesture === "drop"
                ? new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true })
                : new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true,
                                                cancelable: true });
            document.body.dispatchEvent(event);
        }""",
        [data, gesture],
    )
    # THEN it runs like a chosen file
    page.wait_for_selector(DONE, timeout=120_000)
    assert page.get_attribute("#result", "data-state") == "done"
    assert "cat" in page.inner_text("#caption").lower()
