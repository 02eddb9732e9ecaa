"""Input limits that the HTTP schemas share with the models, kept free of heavy imports.

The jobs function validates requests with the same schemas but runs no model: importing the
limits from here keeps onnxruntime and numpy out of its image.
"""

MAX_SPEAK_CHARS = 3000
