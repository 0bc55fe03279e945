"""The Content-Security-Policy header every response carries.

Every script minsheng serves is a file under /static/ (no inline <script>, no on…=
attributes, no eval), so scripts are limited to the site itself: injected markup cannot
run code. Styles allow 'unsafe-inline' because a few templates draw bars with a style
attribute (their width is data). Images may come from the map tile server the installation
configured (MINSHENG_MAP_TILES), and from data: URLs (the API's documentation page).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def tile_source(template: str) -> str:
    """The CSP source for a tile URL template: "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    → "https://*.tile.example.org"."""
    if not template:
        return ""
    parts = urlsplit(template.replace("{s}", "tiles-subdomain"))
    if not parts.scheme or not parts.netloc:
        return ""
    host = parts.netloc.replace("tiles-subdomain", "*")
    return f"{parts.scheme}://{host}"


def content_security_policy() -> str:
    images = " ".join(filter(None, ["'self'", "data:", tile_source(settings.MINSHENG_MAP_TILES)]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
