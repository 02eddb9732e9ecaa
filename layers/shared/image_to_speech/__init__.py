"""Shared code for the caption, translate and speak functions.

Copied into every function image from `layers/shared/`; importing it pulls in no torch and no
transformers, only onnxruntime, numpy, tokenizers, Pillow, pydantic and the standard library.
"""

__version__ = "0.1.0"
