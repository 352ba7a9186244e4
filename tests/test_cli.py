"""The `parallax` command: ingest summary, accounts, align output formats."""

import io
import json
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.cli import main as cli
from app.db import make_engine
from app.library.credentials import verify_password
from app.models import User


def test_ingest_prints_one_line_with_what_was_rejected_and_why(
    tmp_path: Path,
    seed_files: list[Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARALLAX_LOAD_ENCODER", "false")
    from app.config import get_settings

    get_settings.cache_clear()
    folder = tmp_path / "in"
    folder.mkdir()
    for p in seed_files[:2]:
        (folder / p.name).write_bytes(p.read_bytes())
    (folder / "broken.txt").write_bytes("Ceci est cassé".encode("latin-1"))
    db = tmp_path / "cli.db"
    try:
        assert cli(["ingest", str(folder), "--db", str(db)]) == 0
        line = capsys.readouterr().out.strip()
        assert line.startswith("2 added, 0 skipped as duplicates, 1 rejected: broken.txt: ")
        assert "UTF-8" in line
        assert cli(["ingest", str(folder / seed_files[0].name), "--db", str(db)]) == 0
        assert capsys.readouterr().out.strip() == "0 added, 1 skipped as duplicates, 0 rejected"
    finally:
        get_settings.cache_clear()


def test_user_add_stores_an_argon2_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "users.db"
    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret-enough\n"))
    assert cli(["user", "add", "ed", "--role", "editor", "--password-stdin", "--db", str(db)]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert cli(["user", "add", "al", "--password-stdin", "--db", str(db)]) == 2
    assert "at least 8" in capsys.readouterr().err
    with Session(make_engine(f"sqlite:///{db}")) as session:
        users = session.exec(select(User)).all()
    assert [(u.name, u.role) for u in users] == [("ed", "editor")]
    assert users[0].password_hash.startswith("$argon2id$")
    assert verify_password(users[0].password_hash, "s3cret-enough")
    assert not verify_password(users[0].password_hash, "s3cret-enougH")


@pytest.mark.model
def test_align_presplit_prints_beads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, tgt = tmp_path / "de.txt", tmp_path / "fr.txt"
    src.write_text(
        "Wir stiegen früh am Morgen auf .\nDer Gipfel war in Wolken .\n"
        "Am Abend kehrten wir ins Tal zurück .\n",
        encoding="utf-8",
    )
    tgt.write_text(
        "Nous sommes montés tôt le matin .\nLe sommet était dans les nuages .\n"
        "Le soir , nous sommes redescendus dans la vallée .\n",
        encoding="utf-8",
    )
    assert cli(["align", str(src), str(tgt), "--presplit", "--format", "beads"]) == 0
    assert capsys.readouterr().out.split("\n")[:3] == ["[0]:[0]", "[1]:[1]", "[2]:[2]"]
    assert cli(["align", str(src), str(tgt), "--presplit", "--format", "json"]) == 0
    beads = json.loads(capsys.readouterr().out)["beads"]
    assert [(b["src"], b["tgt"]) for b in beads] == [([0], [0]), ([1], [1]), ([2], [2])]
