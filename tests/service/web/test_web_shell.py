"""The web UI's shell (UI-6, UI-8): index.html at every mode's route with its security headers,
the build's assets with an immutable cache, nothing outside assets/, and a named 503 while the UI
is not built. A temporary folder stands in for Vite's build."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as HttpClient
from quart_trio import QuartTrio

from vvtv.app import create_app
from vvtv.assembly.services import Services
from vvtv.config import ConfigBundle
from vvtv.config import build_runtime_config
from vvtv.errors import NotFound
from vvtv.runtime import Runtime
from vvtv.web import shell
from vvtv.web.errors import install_error_handlers
from vvtv.web.files import file_under
from vvtv.web.routing import CONVERTERS
from vvtv.web.routing import RouteSpec
from vvtv.web.routing import route_specs

REPO = Path(__file__).resolve().parents[3]
INDEX = (
    b'<!doctype html><html><head><meta name="color-scheme" content="dark" />'
    b'<meta name="theme-color" content="#0b0b10" /><meta name="application-name" content="VVTV" />'
    b"<title>VVTV</title></head><body></body></html>"
)
# The page as served under the shipped default skin (OPS-3): its name, its scheme, its sheet.
SHOWN = (
    b'<!doctype html><html><head><meta name="color-scheme" content="dark" />'
    b'<meta name="theme-color" content="#0b0b10" />'
    b'<meta name="application-name" content="Voulezvous" /><title>Voulezvous</title>'
    b'<link rel="stylesheet" href="/skin.css" /></head><body></body></html>'
)
DOCS = b'<!doctype html><html><head><script type="module" src="/assets/docs-1.js"></script>'
TOKEN = "Zm9vYmFy_invite-0123"
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(self)",
}
ASSETS = {
    "index-3f2a9c1b.js": ("text/javascript", b"export const a = 1;\n"),
    "index-3f2a9c1b.js.map": ("application/json", b'{"version":3}'),
    "index-77aa00ff.css": ("text/css", b"body{margin:0}"),
    "logo-1234abcd.svg": ("image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    "inter-5678ef01.woff2": ("font/woff2", b"wOF2"),
    "poster-9abc0def.png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "copy-0f0f0f0f.json": ("application/json", b"{}"),
}


@pytest.fixture
def ui_dir(tmp_path: Path) -> Path:
    """A built UI: index.html and assets/, with files beside it that must never be served."""
    static = tmp_path / "static"
    (static / "assets" / "nested").mkdir(parents=True)
    (static / "index.html").write_bytes(INDEX)
    (static / "docs.html").write_bytes(DOCS)
    for name, (_, body) in ASSETS.items():
        (static / "assets" / name).write_bytes(body)
    (static / "assets" / "nested" / "chunk-00000000.js").write_bytes(b"1")
    (static / "assets" / "notes.txt").write_bytes(b"untyped")
    (static / "top-secret.js").write_bytes(b"outside assets/")
    (tmp_path / "secret.js").write_bytes(b"outside the UI")
    (static / "assets" / "escape.js").symlink_to(tmp_path / "secret.js")
    return static


@pytest.fixture
def shell_client(runtime: Runtime, services: Services, ui_dir: Path) -> HttpClient:
    return create_app(runtime, services, ui_dir=ui_dir).test_client()


@pytest.fixture
def unbuilt_client(runtime: Runtime, services: Services, tmp_path: Path) -> HttpClient:
    return create_app(runtime, services, ui_dir=tmp_path / "never-built").test_client()


def mode_paths(config: ConfigBundle) -> dict[str, str]:
    """Every mode's route with its parameters filled in: mode name → path."""
    return {name: mode.route.replace(":token", TOKEN) for name, mode in config.modes.modes.items()}


async def _allow_everyone(spec: RouteSpec) -> None:
    return None


@pytest.mark.req("UI-6", "UI-8")
async def test_every_mode_route_serves_the_page_with_its_headers(
    shell_client: HttpClient, runtime: Runtime
) -> None:
    paths = mode_paths(runtime.config)
    assert set(paths.values()) == {
        "/", "/party", "/sniffers", "/random", f"/call/{TOKEN}", "/mirror", "/live",
        "/operator", "/mod",
    }  # fmt: skip
    for path in paths.values():
        response = await shell_client.get(path)
        assert response.status_code == 200, path
        assert response.content_type == "text/html; charset=utf-8"
        assert await response.get_data() == SHOWN
        for name, value in PAGE_HEADERS.items():
            assert response.headers[name] == value, (path, name)


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.req("UI-8")
@pytest.mark.parametrize("path", ["/nope", "/party/x/y", "/call/a.b", "/index.html", "/healthzz"])
async def test_a_browser_asking_for_an_unknown_page_gets_the_shell_with_a_404(
    shell_client: HttpClient, path: str
) -> None:
    """The UI shows its not-found screen; the status stays an honest 404."""
    for method in ("GET", "HEAD"):
        response = await shell_client.open(path, method=method, headers=BROWSER)
        assert response.status_code == 404, (method, path)
        assert response.content_type == "text/html; charset=utf-8"
        for name, value in PAGE_HEADERS.items():
            assert response.headers[name] == value, (path, name)
    assert await (await shell_client.get(path, headers=BROWSER)).get_data() == SHOWN


@pytest.mark.parametrize(
    ("path", "method", "headers"),
    [
        ("/nope", "GET", {}),  # no Accept: not a browser's page request
        ("/nope", "GET", {"Accept": "application/json"}),
        ("/nope", "GET", {"Accept": "*/*"}),  # fetch()'s default names no page
        ("/nope", "POST", BROWSER),  # a form post to nowhere is no page either
        ("/auth/nope", "GET", BROWSER),  # under the API's own prefixes
        ("/admin/nope", "GET", BROWSER),
        ("/sessions/nope/deeper", "GET", BROWSER),
        ("/modes/x", "GET", BROWSER),
        ("/openapi.json/x", "GET", BROWSER),
        ("/assets/missing-00000000.js", "GET", BROWSER),  # a route's own 404
        ("/call/a%20b", "GET", {}),
    ],
)
async def test_api_paths_and_non_page_requests_keep_the_problem_404(
    shell_client: HttpClient, path: str, method: str, headers: dict[str, str]
) -> None:
    response = await shell_client.open(path, method=method, headers=headers)
    assert response.status_code == 404, (method, path)
    assert response.content_type == "application/problem+json"
    assert (await response.get_json())["code"] == "not_found"


async def test_an_unknown_page_before_the_ui_is_built_is_the_problem_404(
    unbuilt_client: HttpClient,
) -> None:
    response = await unbuilt_client.get("/nope", headers=BROWSER)
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


@pytest.mark.req("CON-2")
async def test_the_api_docs_are_our_own_page_under_the_pages_headers(
    shell_client: HttpClient, unbuilt_client: HttpClient
) -> None:
    """`/docs` is the build's docs.html (Swagger UI from our own assets), not quart-schema's page
    that loads it from a CDN; same CSP as every page, and the same 503 before a build."""
    response = await shell_client.get("/docs")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert await response.get_data() == DOCS
    for name, value in PAGE_HEADERS.items():
        assert response.headers[name] == value, name
    unbuilt = await unbuilt_client.get("/docs")
    assert (unbuilt.status_code, (await unbuilt.get_json())["code"]) == (503, "ui_not_built")


@pytest.mark.req("UI-6")
async def test_a_mode_the_tier_switches_off_still_has_its_page(ui_dir: Path) -> None:
    """The UI says "not available" itself: the page answers, the catalog leaves the mode out."""
    soft = build_runtime_config(REPO / "config", "FREE_SOFT_OPENING")
    assert not soft.limits.feature_flags.live_public
    app = QuartTrio("shell-test", static_folder=None)
    app.url_map.converters.update(CONVERTERS)
    install_error_handlers(app)
    app.register_blueprint(shell.routes(soft, _allow_everyone, ui_dir))
    response = await app.test_client().get(soft.modes.modes["live_public"].route)
    assert response.status_code == 200
    assert await response.get_data() == SHOWN


@pytest.mark.req("OPS-3")
async def test_a_clone_skin_serves_its_pages_at_its_routes_in_its_look(ui_dir: Path) -> None:
    """The `lumiere` skin of config/skins.yaml, served by the same code: its name and scheme on
    the page, its colour tokens in /skin.css, Sniffers at /discover and no longer at /sniffers."""
    clone = build_runtime_config(REPO / "config", skin="lumiere")
    app = QuartTrio("shell-test", static_folder=None)
    app.url_map.converters.update(CONVERTERS)
    install_error_handlers(app)
    app.register_blueprint(shell.routes(clone, _allow_everyone, ui_dir))
    client = app.test_client()
    page = await client.get("/discover", headers=BROWSER)
    assert page.status_code == 200
    html = await page.get_data()
    assert (
        '<meta name="application-name" content="Lumière" /><title>Lumière</title>' in html.decode()
    )
    assert b'<meta name="color-scheme" content="light" />' in html
    assert b'<meta name="theme-color" content="#f7f4ee" />' in html
    assert (await client.get("/sniffers", headers=BROWSER)).status_code == 404
    sheet = await client.get("/skin.css")
    assert (sheet.status_code, sheet.content_type) == (200, "text/css; charset=utf-8")
    css = (await sheet.get_data()).decode()
    assert "color-scheme: light;" in css
    assert "--bg: #f7f4ee;" in css
    assert "--accent-text: #ffffff;" in css


@pytest.mark.req("OPS-3")
async def test_the_default_skin_sheet_keeps_the_built_in_palette(shell_client: HttpClient) -> None:
    """Voulezvous sets no colour of its own: the build's palette stands, under its scheme."""
    sheet = await shell_client.get("/skin.css")
    assert sheet.status_code == 200
    assert sheet.headers["Cache-Control"] == "no-cache"
    assert (await sheet.get_data()).decode() == ":root:root {\n  color-scheme: dark;\n}\n"


async def test_the_public_room_page_and_the_hls_channel_do_not_clash(
    shell_client: HttpClient, services: Services
) -> None:
    """`/live` is a mode's page; `/live/<path>` stays the channel's HLS files."""
    live = services.lab.paths.live
    live.mkdir(parents=True)
    (live / "master.m3u8").write_text("#EXTM3U\n")
    page = await shell_client.get("/live")
    assert page.content_type == "text/html; charset=utf-8"
    playlist = await shell_client.get("/live/master.m3u8")
    assert (playlist.status_code, playlist.content_type) == (200, "application/vnd.apple.mpegurl")


@pytest.mark.req("UI-8")
@pytest.mark.parametrize("token", ["a", "A-z_09", "x" * 128, "eyJhbGciOiJIUzI1NiJ9_abc-DEF"])
async def test_a_call_link_with_a_token_serves_the_page(
    shell_client: HttpClient, token: str
) -> None:
    response = await shell_client.get(f"/call/{token}")
    assert response.status_code == 200
    assert await response.get_data() == SHOWN


@pytest.mark.parametrize(
    "path",
    ["/call/", "/call/a.b", "/call/" + "x" * 129, "/call/a%20b", "/call/a/b", "/call/%2e%2e",
     "/call/<token>"],
)  # fmt: skip
async def test_a_malformed_call_link_is_not_found(shell_client: HttpClient, path: str) -> None:
    response = await shell_client.get(path)
    assert response.status_code == 404, path
    assert response.content_type == "application/problem+json"


@pytest.mark.req("UI-6")
async def test_assets_are_typed_and_cached_for_good(shell_client: HttpClient) -> None:
    for name, (content_type, body) in ASSETS.items():
        response = await shell_client.get(f"/assets/{name}")
        assert response.status_code == 200, name
        assert response.mimetype == content_type, name
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert await response.get_data() == body
    nested = await shell_client.get("/assets/nested/chunk-00000000.js")
    assert nested.status_code == 200


@pytest.mark.req("UI-6")
async def test_text_assets_are_gzipped_for_clients_that_accept_it(
    shell_client: HttpClient,
) -> None:
    for name, (_, body) in ASSETS.items():
        compressible = name.rsplit(".", 1)[-1] in {"js", "css", "map", "json", "svg"}
        for _ in range(2):  # the second answer comes from the cache, the same bytes
            response = await shell_client.get(
                f"/assets/{name}", headers={"Accept-Encoding": "br, gzip;q=0.8"}
            )
            data = await response.get_data()
            if compressible:
                assert response.headers["Content-Encoding"] == "gzip", name
                assert response.headers["Vary"] == "Accept-Encoding"
                assert gzip.decompress(data) == body, name
            else:
                assert "Content-Encoding" not in response.headers, name
                assert data == body, name
        plain = await shell_client.get(f"/assets/{name}", headers={"Accept-Encoding": "identity"})
        assert "Content-Encoding" not in plain.headers
        assert await plain.get_data() == body


@pytest.mark.parametrize(
    "path",
    [
        "/assets/../secret.js",
        "/assets/../top-secret.js",
        "/assets/%2e%2e/top-secret.js",
        "/assets/..%2ftop-secret.js",
        "/assets/%2e%2e%2f%2e%2e%2fsecret.js",
        "/assets/%2E%2E%2Findex.html",
        "/assets/nested/../../top-secret.js",
        "/assets/nested/%2e%2e/%2e%2e/top-secret.js",
        "/assets/escape.js",  # a symlink out of assets/
        "/assets/x%00.js",
        "/assets/notes.txt",  # a type the UI does not ship
        "/assets/missing-00000000.js",
        "/assets/nested",
        "/assets/nested.js/",
        "/assets/",
        "/index.html",
    ],
)
async def test_nothing_outside_the_assets_is_served(shell_client: HttpClient, path: str) -> None:
    response = await shell_client.get(path)
    assert response.status_code == 404, path
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize("path", ["/assets//etc/passwd.js", "/assets/%2fetc%2fpasswd.js"])
async def test_an_absolute_path_stays_under_the_assets(shell_client: HttpClient, path: str) -> None:
    """Werkzeug merges the double slash with a redirect that stays under /assets/ (to a 404)."""
    response = await shell_client.get(path)
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/assets/etc/passwd.js")
    followed = await shell_client.get("/assets/etc/passwd.js")
    assert followed.status_code == 404


@pytest.mark.req("UI-6")
async def test_an_unbuilt_ui_is_a_named_503_not_a_crash(
    unbuilt_client: HttpClient, runtime: Runtime
) -> None:
    for path in mode_paths(runtime.config).values():
        for method in ("GET", "HEAD"):
            response = await unbuilt_client.open(path, method=method)
            assert response.status_code == 503, (method, path)
            assert response.content_type == "application/problem+json"
    problem = await (await unbuilt_client.get("/")).get_json()
    assert problem["code"] == "ui_not_built"
    assert problem["status"] == 503
    assert "scripts/serve" in problem["message"]
    assert (await unbuilt_client.get("/assets/index-3f2a9c1b.js")).status_code == 404


async def test_a_build_without_its_index_is_not_built_either(
    runtime: Runtime, services: Services, ui_dir: Path
) -> None:
    (ui_dir / "index.html").unlink()
    client = create_app(runtime, services, ui_dir=ui_dir).test_client()
    response = await client.get("/party")
    assert (response.status_code, (await response.get_json())["code"]) == (503, "ui_not_built")


async def test_head_answers_and_other_methods_are_refused(shell_client: HttpClient) -> None:
    for path in ("/", f"/call/{TOKEN}", "/assets/index-3f2a9c1b.js"):
        head = await shell_client.head(path)
        assert head.status_code == 200, path
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            refused = await shell_client.open(path, method=method, data=b"x")
            assert refused.status_code == 405, (method, path)
            assert refused.content_type == "application/problem+json"


async def test_the_shell_routes_are_declared_public_and_published(
    runtime: Runtime, services: Services, ui_dir: Path
) -> None:
    """INV-9: declared like every route, with their media types and the 503 documented."""
    app = create_app(runtime, services, ui_dir=ui_dir)
    declared = {spec.rule: spec.access for spec in route_specs(app)}
    for rule in ("/", "/party", "/call/<urltoken:token>", "/live", "/assets/<path:path>", "/docs"):
        assert declared[rule] == "public", rule
    paths = (await (await app.test_client().get("/openapi.json")).get_json())["paths"]
    page = paths["/call/{token}"]["get"]
    assert list(page["responses"]["200"]["content"]) == ["text/html"]
    assert {"404", "503"} <= set(page["responses"])
    (token,) = page["parameters"]
    assert token["schema"]["pattern"] == "^[A-Za-z0-9_-]{1,128}$"
    assert "503" in paths["/"]["get"]["responses"]
    assert list(paths["/assets/{path}"]["get"]["responses"]["200"]["content"]) == ["*/*"]


def test_a_manifest_route_becomes_a_url_rule() -> None:
    assert shell.page_rule("/") == "/"
    assert shell.page_rule("/call/:token") == "/call/<urltoken:token>"
    assert shell.page_rule("/a/:x/b") == "/a/<urltoken:x>/b"
    for bad in ("/a/<path:x>", "/a b", "/:1x"):
        with pytest.raises(ValueError, match="no path segment"):
            shell.page_rule(bad)


@pytest.mark.parametrize("path", ["/etc/passwd.js", "../secret.js", "a/../../secret.js", "x\0.js"])
def test_a_path_never_leaves_the_folder(ui_dir: Path, path: str) -> None:
    with pytest.raises(NotFound):
        file_under(ui_dir / "assets", path, shell.ASSET_TYPES)
