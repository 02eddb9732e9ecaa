"""Inference runtime: model bundles, onnxruntime sessions and the three task models."""
