import io
import tarfile

import pytest


@pytest.mark.django_db
def test_every_page_offers_the_running_source_as_the_agpl_asks(client):
    home = client.get("/")
    assert b'href="/source/"' in home.content

    response = client.get("/source/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as archive:
        names = set(archive.getnames())
        actions = archive.extractfile("minsheng-source/minsheng/cases/actions.py").read()
        licence = archive.extractfile("minsheng-source/LICENSE").read()
    assert b"def dispatch" in actions
    assert licence.startswith(b"GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "minsheng-source/pyproject.toml" in names
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    # Data and secrets live in the data directory, never in the archive.
    assert not any(name.endswith((".sqlite3", ".key")) for name in names)
