"""Build-time code: turns model sources into bundles. Uses torch/transformers; never shipped."""
