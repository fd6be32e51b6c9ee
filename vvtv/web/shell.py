"""The web UI (UI-6, UI-8): Vite builds vvtv/web/ui into vvtv/web/static. Every mode's route
answers its index.html, so deep links work and the UI routes itself; a browser asking for a page
no route serves gets it too, as a 404 (the UI shows its not-found screen); `/docs` answers
docs.html (Swagger UI, from a pinned package); `/assets/` serves the hashed files, for good."""

from __future__ import annotations

import gzip
import re
from collections.abc import Awaitable
from collections.abc import Callable
from pathlib import Path

import trio
from quart import Blueprint
from quart import Quart
from quart import Response
from quart import current_app
from quart import request
from werkzeug.exceptions import NotFound as NoRoute

from vvtv.config import ConfigBundle
from vvtv.errors import Unavailable
from vvtv.web.errors import problem_from
from vvtv.web.errors import problem_response
from vvtv.web.files import file_response
from vvtv.web.files import file_under
from vvtv.web.routing import Guard
from vvtv.web.routing import PlainText
from vvtv.web.routing import Routes
from vvtv.web.skin import SKIN_CSS
from vvtv.web.skin import dressed_page
from vvtv.web.skin import style_sheet

STATIC_DIR = Path(__file__).resolve().parent / "static"  # Vite's outDir, next to ui/
INDEX = "index.html"
DOCS = "docs.html"
ASSETS = "assets"

# The page runs our own bundle and nothing else: no inline script or style, no third party.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
PAGE_HEADERS = {
    # A new build renames every asset; the page that names them must be asked for each time.
    "Cache-Control": "no-cache",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(self)",
}
# Vite's file names carry a content hash: a name never changes its bytes.
ASSET_CACHE = "public, max-age=31536000, immutable"
ASSET_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}
# Text assets are sent gzipped to clients that accept it (compressed once, then kept: an asset's
# bytes never change under its name). Media and fonts are compressed already.
COMPRESSIBLE = frozenset({".js", ".css", ".map", ".json", ".svg"})
GZIP_LEVEL = 6
NOT_BUILT = (
    "The web UI is not built yet: run scripts/serve, which builds it before starting the server."
)

_LITERAL_SEGMENT = re.compile(r"[A-Za-z0-9._~-]*")


class Page(PlainText):
    """The web UI's index.html: the UI shows the mode this route belongs to."""

    media_type = "text/html"


class DocsPage(Page):
    """Swagger UI's page: every file it loads is ours (a pinned package, built with the UI), under
    the same Content-Security-Policy as the web UI's pages."""


class StyleSheet(PlainText):
    """The worn skin's colour tokens (OPS-3), read after the build's own style sheet."""

    media_type = "text/css"


class Asset(PlainText):
    """A file of the web UI's build: script, style sheet, source map, font or image, each with
    its own type."""

    media_type = "*/*"


def page_rule(route: str) -> str:
    """A manifest route as a URL rule: `/call/:token` → `/call/<urltoken:token>`."""
    segments = []
    for segment in route.split("/"):
        if segment.startswith(":") and segment[1:].isidentifier():
            segments.append(f"<urltoken:{segment[1:]}>")
        elif _LITERAL_SEGMENT.fullmatch(segment):
            segments.append(segment)
        else:
            raise ValueError(f"route `{route}`: `{segment}` is no path segment nor `:parameter`")
    return "/".join(segments)


def routes(config: ConfigBundle, guard: Guard, static_dir: Path = STATIC_DIR) -> Blueprint:
    """Every mode of the manifests gets its page, even one the tier switches off: the UI itself
    says that mode is not available (its catalog leaves it out)."""
    api = Routes("shell", __name__, guard)
    gzipped: dict[Path, bytes] = {}

    async def compressed(target: Path, data: bytes) -> bytes:
        if target not in gzipped:
            # Off the event loop: the source maps run to megabytes.
            gzipped[target] = await trio.to_thread.run_sync(gzip.compress, data, GZIP_LEVEL)
        return gzipped[target]

    async def page(name: str = INDEX, status: int = 200) -> Response:
        try:
            html = await trio.Path(static_dir / name).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise Unavailable(NOT_BUILT, code="ui_not_built") from None
        if name == INDEX:
            html = dressed_page(html, config.theme)
        response = Response(html, status=status)
        response.content_type = "text/html; charset=utf-8"
        response.headers.update(PAGE_HEADERS)
        return response

    pages = {
        f"{api.blueprint.name}.{_page_route(api, name, page_rule(mode.route), page)}"
        for name, mode in config.modes.modes.items()
    }
    api_segments: set[str] = set()  # worked out at the first miss, once every route is in

    @api.blueprint.app_errorhandler(NoRoute)
    async def no_route(error: NoRoute) -> Response:
        """A path no route serves. A browser asking for a page gets the shell (still a 404), whose
        router shows the not-found screen; under an API's first segment (`/auth/…`, `/modes/…`),
        or for any other client, it stays problem JSON."""
        if not api_segments:
            api_segments.update(_api_segments(current_app, pages))
        if _asks_for_a_page() and _first_segment(request.path) not in api_segments:
            try:
                return await page(INDEX, status=404)
            except Unavailable:
                pass  # no UI to show it in: the plain problem below
        return problem_response(problem_from(error), error)

    @api.get("/docs", access="public", response=DocsPage, errors=[503])
    async def docs() -> Response:
        """The API's documentation (Swagger UI over /openapi.json)."""
        return await page(DOCS)

    pages.add(f"{api.blueprint.name}.{docs.__name__}")
    skin_css = style_sheet(config.theme)

    @api.get(SKIN_CSS, access="public", response=StyleSheet)
    async def skin() -> Response:
        """The worn skin's colours (config/skins.yaml, OPS-3), for every page of the UI."""
        response = Response(skin_css, status=200, content_type="text/css; charset=utf-8")
        # A restart may wear another skin: asked for again each time, like the page.
        response.headers.update({"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})
        return response

    @api.get(f"/{ASSETS}/<path:path>", access="public", response=Asset, errors=[404])
    async def asset(path: str) -> Response:
        """A file of the UI's build under assets/ (hashed names: cached for a year; text files
        gzipped for clients that accept it)."""
        target = file_under(static_dir / ASSETS, path, ASSET_TYPES, "asset")
        response = await file_response(target, ASSET_TYPES, ASSET_CACHE, "asset")
        response.headers["X-Content-Type-Options"] = "nosniff"
        if target.suffix in COMPRESSIBLE:
            response.headers["Vary"] = "Accept-Encoding"
            if request.accept_encodings["gzip"] > 0:
                response.set_data(await compressed(target, await response.get_data(as_text=False)))
                response.headers["Content-Encoding"] = "gzip"
        return response

    return api.blueprint


def _first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


def _api_segments(app: Quart, pages: set[str]) -> set[str]:
    """The first path segments of every route that is not a page: the API's own namespaces."""
    return {
        _first_segment(rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in pages and not rule.rule.startswith("/<")
    }


def _asks_for_a_page() -> bool:
    """A browser's navigation: a GET that names text/html. fetch() sends `*/*`, which names none."""
    named = {value for value, quality in request.accept_mimetypes if quality > 0}
    return request.method in ("GET", "HEAD") and "text/html" in named


def _page_route(api: Routes, mode: str, rule: str, page: Callable[[], Awaitable[Response]]) -> str:
    """Declares mode `mode`'s page; its endpoint's name."""

    async def handler(**_path: str) -> Response:
        return await page()

    handler.__name__ = f"page_{mode}"
    handler.__doc__ = f"The web UI at mode `{mode}`'s route."
    # 503 until the UI is built; 404 for a malformed parameter (a token outside its pattern).
    api.get(rule, access="public", response=Page, errors=[404, 503] if "<" in rule else [503])(
        handler
    )
    return handler.__name__
