"""services/cache.py through the three use cases: hit, miss, opt-out, invalidation by a bundle
change, non-deterministic requests, and identical requests at the same time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from image_to_speech.schemas import CaptionOptions, SpeakOptions, TranslateOptions
from image_to_speech.services.cache import ResultCache
from image_to_speech.services.caption import caption_image
from image_to_speech.services.speak import speak_into_store
from image_to_speech.services.translate import translate_text

from tests.conftest import photo_bytes
from tests.fakes import FakeCaptioner, FakeSynthesizer, FakeTranslator, InMemoryStore, fake_bundle


def test_a_second_identical_caption_is_a_hit_and_runs_no_model() -> None:
    store, captioner = InMemoryStore(), FakeCaptioner()
    cache = ResultCache(store)
    first = caption_image(captioner, photo_bytes("coffee"), CaptionOptions(), cache=cache)
    second = caption_image(captioner, photo_bytes("coffee"), CaptionOptions(), cache=cache)
    assert (first.cached, second.cached) == (False, True)
    assert second.caption == first.caption and second.ms == 0.0
    assert len(captioner.calls) == 1
    assert [key for key in store.objects if key.startswith("cache/caption/")]


def test_other_options_or_another_image_miss() -> None:
    captioner = FakeCaptioner()
    cache = ResultCache(InMemoryStore())
    caption_image(captioner, photo_bytes("coffee"), CaptionOptions(), cache=cache)
    caption_image(captioner, photo_bytes("coffee"), CaptionOptions(num_beams=2), cache=cache)
    caption_image(captioner, photo_bytes("chelsea"), CaptionOptions(), cache=cache)
    assert len(captioner.calls) == 3


def test_opt_out_per_request() -> None:
    translator = FakeTranslator()
    cache = ResultCache(InMemoryStore())
    for _ in range(2):
        answer = translate_text(
            translator, "A cat.", options=TranslateOptions(cache=False), cache=cache
        )
        assert not answer.cached
    assert len(translator.batches) == 2


def test_a_changed_bundle_invalidates_its_entries() -> None:
    translator = FakeTranslator()
    cache = ResultCache(InMemoryStore())
    translate_text(translator, "A cat.", cache=cache)
    assert translate_text(translator, "A cat.", cache=cache).cached
    translator.bundle = fake_bundle("translate", "fake-translator-v2", "fake")
    assert not translate_text(translator, "A cat.", cache=cache).cached
    assert len(translator.batches) == 2


def test_sampling_is_cached_only_with_a_seed() -> None:
    translator = FakeTranslator()
    cache = ResultCache(InMemoryStore())
    random = TranslateOptions(do_sample=True, temperature=0.7)
    seeded = TranslateOptions(do_sample=True, temperature=0.7, seed=7)
    for options in (random, random, seeded, seeded):
        translate_text(translator, "A cat.", options=options, cache=cache)
    assert len(translator.batches) == 3  # two unseeded draws, one seeded, one hit


def test_identical_requests_at_once_all_succeed() -> None:
    translator = FakeTranslator()
    cache = ResultCache(InMemoryStore())
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda _: translate_text(translator, "A cat.", cache=cache), range(16))
        )
    assert {answer.translation for answer in answers} == {"[pt-BR] A cat."}
    assert translate_text(translator, "A cat.", cache=cache).cached


def test_cached_speech_points_at_the_first_audio_object() -> None:
    store, voice = InMemoryStore(), FakeSynthesizer()
    cache = ResultCache(store)
    first = speak_into_store(voice, store, "Oi.", language="pt-BR", key="audio/a.wav", cache=cache)
    second = speak_into_store(voice, store, "Oi.", language="pt-BR", key="audio/b.wav", cache=cache)
    assert second.cached and second.audio_key == first.audio_key == "audio/a.wav"
    assert "audio/b.wav" not in store.objects and len(voice.calls) == 1
    faster = speak_into_store(
        voice,
        store,
        "Oi.",
        language="pt-BR",
        key="audio/c.wav",
        options=SpeakOptions(length_scale=0.8),
        cache=cache,
    )
    assert not faster.cached and len(voice.calls) == 2


def test_a_failing_cache_is_skipped_not_an_error() -> None:
    from image_to_speech.errors import StorageUnavailableError

    store, translator = InMemoryStore(), FakeTranslator()
    store.failures.extend([StorageUnavailableError("slow"), StorageUnavailableError("slow")])
    answer = translate_text(translator, "A cat.", cache=ResultCache(store))
    assert answer.translation == "[pt-BR] A cat." and not answer.cached
