"""The floor of the handler overhead: what any route costs in this stack before its own work.

- `floor_handler`: Mangum and FastAPI around a route that only reads the body;
- `floor_handler(..., powertools=True)`: the same route wrapped like every function's handler
  (`observability.instrument`: Lambda context and correlation id in the logs, EMF metrics
  flushed per invocation), recording one metric per call as each model route does.

No postponed annotations in this module: FastAPI must see `Request` itself to inject the
request. The containers bench mounts this file into each image and imports it in its probe,
so it may import only what the images hold (FastAPI, Mangum, image_to_speech).
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from mangum import Mangum


def floor_handler(path: str, *, powertools: bool = False) -> Callable[[dict[str, Any], Any], Any]:
    from image_to_speech.observability import instrument, record_inference

    app = FastAPI()

    @app.post(path)
    async def floor_route(request: Request) -> Response:
        await request.body()
        if powertools:
            record_inference("floor", 0.0)
        return Response(b'{"ok":true}', media_type="application/json")

    adapter = Mangum(app, lifespan="off")
    return instrument(adapter) if powertools else adapter
