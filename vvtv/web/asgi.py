"""`WebApp`: QuartTrio whose connections end when they should under hypercorn's trio worker.

hypercorn finishes a connection inside the app's own ASGI calls: the last `send` of a response
tells the app `http.disconnect`, then closes or recycles the TCP connection. quart-trio does not
expect it, so a completed response could leave its connection open for ever.
"""

from __future__ import annotations

import trio
from hypercorn.typing import ASGIReceiveCallable, ASGISendCallable, ASGISendEvent
from quart_trio import QuartTrio
from quart_trio.asgi import TrioASGIHTTPConnection


class _HTTPConnection(TrioASGIHTTPConnection):
    async def __call__(self, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
        await super().__call__(receive, _final_body_shielded(send))


def _final_body_shielded(send: ASGISendCallable) -> ASGISendCallable:
    async def sending(message: ASGISendEvent) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            # Within this call hypercorn ends the response and tells the app `http.disconnect`;
            # quart-trio cancels the request's tasks on that, while this same call goes on to
            # send the FIN (`Connection: close`, HTTP/1.0) or to start the keep-alive timer.
            # Cancelled there, the connection was never closed: no FIN, the fd held for ever.
            with trio.CancelScope(shield=True):
                await send(message)
        else:
            await send(message)

    return sending


class WebApp(QuartTrio):
    asgi_http_class = _HTTPConnection
