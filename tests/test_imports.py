"""Collections imported whole: many files or one zip as one import, followed as one."""

import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.main import create_app
from app.models import Job
from tests.factories import login, make_user, row_counts


@pytest.fixture
def import_settings(db_url: str, tmp_path: Path) -> Settings:
    """Jobs inline, without the model: storing each file is what an import starts."""
    return Settings(
        database_url=db_url,
        queue_url="inline",
        data_dir=tmp_path / "data",
        load_encoder=False,
        rate_limit_uploads="1/hour",
        rate_limit_uploads_editor="1/hour",
        import_max_files_reader=2,
    )


@pytest.fixture
def app_client(import_settings: Settings) -> TestClient:
    app = create_app(import_settings)
    make_user(app.state.engine, "ed", role="editor")
    make_user(app.state.engine, "reader", role="reader")
    return TestClient(app)


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_a_zip_is_imported_as_one_and_followed_as_one(
    app_client: TestClient, seed_files: list[Path]
) -> None:
    login(app_client, "ed")
    archive = {f"site/{p.name}": p.read_bytes() for p in seed_files}
    archive |= {"site/.DS_Store": b"\0\0", "__MACOSX/site/._a.txt": b"x", "site/logo.png": b"x"}
    sent = app_client.post(
        "/api/imports", files={"files": ("site.zip", _zip(archive), "application/zip")}
    )
    assert sent.status_code == 202, sent.text
    body = sent.json()
    assert set(body) == {"id", "jobs", "url"} and len(body["jobs"]) == len(seed_files)
    assert body["url"] == f"/api/imports/{body['id']}"
    seen = app_client.get(body["url"]).json()
    assert (seen["status"], seen["total"], seen["done"], seen["added"]) == ("done", 4, 4, 4)
    assert seen["failures"] == [] and seen["jobs"] == body["jobs"]
    assert row_counts(app_client.app.state.engine)["document"] == 4  # type: ignore[attr-defined]
    # Counted as one upload: the limit (1 an hour) is reached now.
    again = app_client.post(
        "/api/imports", files={"files": (seed_files[0].name, b"Un autre texte.", "text/plain")}
    )
    assert again.status_code == 429, again.text


def test_a_folder_comes_in_parts_under_one_import(
    app_client: TestClient, seed_files: list[Path]
) -> None:
    login(app_client, "ed")
    first = [("files", (f"folder/{p.name}", p.read_bytes(), "text/plain")) for p in seed_files[:2]]
    rest = [("files", (f"folder/{p.name}", p.read_bytes(), "text/plain")) for p in seed_files[2:]]
    body = app_client.post("/api/imports", files=first).json()
    more = app_client.post(f"{body['url']}/files", files=rest)
    assert more.status_code == 202, more.text
    assert more.json()["id"] == body["id"] and len(more.json()["jobs"]) == 2
    assert app_client.get(body["url"]).json()["total"] == 4


def test_a_readers_import_past_its_files_limit_stores_nothing(
    app_client: TestClient, seed_files: list[Path]
) -> None:
    login(app_client, "reader")
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in seed_files[:3]]
    refused = app_client.post("/api/imports", files=files)
    assert refused.status_code == 422, refused.text
    assert "at most 2" in refused.json()["detail"]
    with Session(app_client.app.state.engine) as session:  # type: ignore[attr-defined]
        assert session.exec(select(Job)).all() == []


def test_an_import_is_its_owners_and_bad_zips_are_refused(
    app_client: TestClient, import_settings: Settings, seed_files: list[Path]
) -> None:
    anonymous = app_client.post(
        "/api/imports", files={"files": ("a.txt", b"Un texte.", "text/plain")}
    )
    assert anonymous.status_code == 401
    login(app_client, "ed")
    bad = app_client.post(
        "/api/imports", files={"files": ("x.zip", b"PK no zip", "application/zip")}
    )
    assert bad.status_code == 422 and "zip" in bad.json()["detail"]
    path = seed_files[0]
    url = app_client.post(
        "/api/imports", files={"files": (path.name, path.read_bytes(), "text/plain")}
    ).json()["url"]
    with TestClient(app_client.app) as other:
        login(other, "reader")
        assert other.get(url).status_code == 404
        assert (
            other.post(f"{url}/files", files={"files": ("b.txt", b"x", "text/plain")}).status_code
            == 404
        )
