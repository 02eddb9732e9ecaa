"""Speech quality measured by a speech recogniser (tests, benchmarks and the local demo only).

Nothing here runs in a function image: the recogniser (Whisper base through faster-whisper) is a
dev dependency, built into build/models/asr by `make models`.
"""
