"""The demo help-centre page and the widget's static files.

The widget (``static/widget.js`` + ``widget.css``) is plain JavaScript and CSS
served as files: no build step.  The demo page embeds it with the same one
tag a customer's site uses and carries no inline script or style, so it works
under a strict Content-Security-Policy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from faqbot.kb.knowledge import KIND_FAQ, KnowledgeBase
from faqbot.web.privacy_script import privacy_script

_HERE = Path(__file__).resolve().parent
_STATIC = _HERE / "static"
_PAGES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_HERE / "templates"),
    autoescape=True,  # knowledge-base text goes into the page
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Short: a new release reaches pages within minutes; the ETag makes revalidation cheap.
_CACHE = "public, max-age=300"


@dataclass(frozen=True)
class StaticFile:
    """One file of ``static/``, read once at start-up."""

    body: bytes
    media_type: str
    etag: str

    @classmethod
    def read(cls, name: str, prelude: bytes = b"") -> StaticFile:
        body = prelude + (_STATIC / name).read_bytes()
        return cls(body, _STATIC_TYPES[Path(name).suffix], '"' + hashlib.sha256(body).hexdigest()[:16] + '"')

    def response(self, request: Request) -> Response:
        headers = {"ETag": self.etag, "Cache-Control": _CACHE}
        if request.headers.get("if-none-match") == self.etag:
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


def demo_html(kb: KnowledgeBase) -> str:
    """The demo help-centre page: the FAQ by category, and the widget."""
    categories: dict[str, list[str]] = {}
    for entry in kb.entries_of_kind(KIND_FAQ):
        categories.setdefault(entry.category, []).append(entry.question)
    return _PAGES.get_template("demo.html").render(
        service=kb.service, categories=categories, computes=kb.computes_billing
    )


def page_routes(kb: KnowledgeBase) -> list[BaseRoute]:
    """``/`` (demo page), ``/widget.js``, ``/widget.css``, ``/demo.css`` and the icon.

    The icon is served as ``/favicon.svg`` and, for browsers that ask without
    looking at the page, ``/favicon.ico`` (an SVG body: its media type says so).
    """
    page = demo_html(kb)
    files = {name: StaticFile.read(name) for name in ("widget.css", "demo.css", "favicon.svg")}
    # The masker goes in front of the widget: one request, and it exists before the widget runs.
    files["widget.js"] = StaticFile.read("widget.js", prelude=privacy_script())

    async def demo(request: Request) -> Response:
        return HTMLResponse(page)

    def static_route(name: str, path: str) -> Route:
        async def serve(request: Request) -> Response:
            return files[name].response(request)

        return Route(path, serve, methods=["GET", "HEAD"])

    return [
        Route("/", demo, methods=["GET", "HEAD"]),
        *(static_route(name, f"/{name}") for name in files),
        static_route("favicon.svg", "/favicon.ico"),
    ]
