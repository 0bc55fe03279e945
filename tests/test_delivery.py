"""How pages and files travel: compressed, cached, no request wasted. Residents and clerks
are often on slow mobile connections."""

from __future__ import annotations

import gzip
import hashlib
import re

import pytest

pytestmark = pytest.mark.django_db


def test_pages_are_sent_gzipped_to_browsers_that_accept_it(client, county):
    plain = client.get("/report/")
    packed = client.get("/report/", HTTP_ACCEPT_ENCODING="gzip, deflate")

    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content).decode().count("<form") == plain.content.decode().count(
        "<form"
    )
    assert len(packed.content) < len(plain.content) / 2


def test_the_stylesheet_is_sent_gzipped(client):
    response = client.get("/static/minsheng/style.css", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    body = gzip.decompress(b"".join(response.streaming_content))
    assert b".r-card" in body


def test_static_files_are_named_by_their_content_and_kept_for_a_year(client):
    html = client.get("/report/").content.decode()
    [stylesheet] = re.findall(r'href="(/static/minsheng/style\.css\?v=[0-9a-f]{12})"', html)

    response = client.get(stylesheet)
    assert response.status_code == 200
    assert "max-age=31536000" in response["Cache-Control"]
    # The version is the content's: a changed stylesheet gets a new address.
    css = b"".join(response.streaming_content)
    assert stylesheet.endswith(hashlib.sha256(css).hexdigest()[:12])


def test_browsers_find_the_icon_without_a_missing_page(client):
    html = client.get("/report/").content.decode()
    assert re.search(r'<link rel="icon" href="/static/minsheng/favicon\.svg\?v=[0-9a-f]{12}"', html)

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert client.get(response["Location"]).status_code == 200


def test_head_works_wherever_get_does_on_public_pages_and_downloads(client, county, submit):
    # Link checkers, download managers and archivers ask HEAD first.
    case = submit()
    code = case.tracking_code
    paths = [
        "/",
        "/report/",
        "/track/",
        f"/track/{code}/",
        f"/track/{code}/rate/",
        f"/track/{code}/withdraw/",
        f"/report/sent/{code}/",
        "/board/",
        "/board/V1/",
        "/board/cases.csv",
        "/board/V1/cases.csv",
        "/open311/v2/discovery.json",
        "/open311/v2/services.xml",
        "/open311/v2/requests.json",
        "/source/",
    ]
    for path in paths:
        get = client.get(path)
        head = client.head(path)
        assert head.status_code == get.status_code, path
        assert head["Content-Type"] == get["Content-Type"], path
        assert head.get("Content-Disposition") == get.get("Content-Disposition"), path
    case.refresh_from_db()
    assert case.status == "submitted"  # HEAD on the rating and withdrawal pages changed nothing
