"""The `parallax` command: serve, ingest."""

import argparse
import logging
import sys
from collections.abc import Iterable
from pathlib import Path

from sqlmodel import Session, select

from app.align.encoder import Encoder, encoder_name_for, load_encoder, load_encoders
from app.config import Settings, get_settings
from app.db import make_engine
from app.migrate import upgrade
from app.models import Document
from app.services.alignment import grouping_hook, is_linkable
from app.services.ingest import AfterInsert, expand_paths, ingest_files

log = logging.getLogger("parallax")


def _settings(args: argparse.Namespace) -> Settings:
    settings = get_settings()
    if getattr(args, "db", None):
        settings = settings.model_copy(
            update={"database_url": f"sqlite:///{Path(args.db).expanduser().resolve()}"}
        )
    return settings


def _progress(files: Iterable[Path]) -> Iterable[Path]:
    """A progress bar on a terminal for batches; a single file would just add noise."""
    files = list(files)
    if len(files) < 5 or not sys.stderr.isatty():
        return files
    from tqdm import tqdm

    return tqdm(files, unit="file", desc="ingest")


def _hook(settings: Settings, encoder: Encoder | None = None) -> AfterInsert | None:
    """Group and align each new document, unless the encoder is switched off."""
    if encoder is None and settings.load_encoder:
        encoder = load_encoders(settings.encoder)
    return grouping_hook(encoder) if encoder is not None else None


def ingest_seeds(settings: Settings, *, encoder: Encoder | None = None) -> str | None:
    """Ingest the seeds folder into an empty database; the summary line, or None if not empty."""
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            if session.exec(select(Document.id).limit(1)).first() is not None:
                return None
        if not settings.seeds_dir.is_dir():
            return None
        summary = ingest_files(
            engine=engine,
            files=expand_paths([settings.seeds_dir]),
            max_bytes=settings.max_upload_bytes,
            after_insert=_hook(settings, encoder),
        )
        return summary.line()
    finally:
        engine.dispose()


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest files or folders and print a one-line summary."""
    settings = _settings(args)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    files = expand_paths(Path(p) for p in args.paths)
    summary = ingest_files(
        engine=engine,
        files=files,
        max_bytes=settings.max_upload_bytes,
        after_insert=_hook(settings),
        progress=_progress,
    )
    print(summary.line())
    return 1 if summary.rejected and not (summary.added or summary.duplicates) else 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Migrate, ingest the seeds into an empty database, then serve."""
    import uvicorn

    from app.ingest import warm_up
    from app.main import create_app

    settings = _settings(args)
    upgrade(settings.database_url)
    encoder = load_encoders(settings.encoder) if settings.load_encoder else None
    # Language models load once here rather than on the first upload a user makes.
    warm_up()
    line = ingest_seeds(settings, encoder=encoder)
    if line:
        log.info("seeds: %s", line)
    # The encoder loaded for the seeds is handed to the app rather than loaded twice.
    uvicorn.run(
        create_app(settings, encoder=encoder), host=args.host, port=args.port, log_level="info"
    )
    return 0


def _align_encoder_name(args: argparse.Namespace, settings: Settings) -> str:
    """The encoder for `parallax align`: --encoder as given (with a warning when it does not
    cover the files' languages), else the default, switched to one that covers both."""
    from app.ingest import SUPPORTED_LANGUAGES
    from app.ingest.language import document_language

    langs: list[str | None] = []
    for path in (args.src, args.tgt):
        try:
            sample = Path(path).read_text(encoding="utf-8", errors="replace")[:20_000]
        except OSError:
            return str(args.encoder or settings.encoder)  # cmd_align reports the error
        langs.append(document_language(sample, SUPPORTED_LANGUAGES))
    wanted = str(args.encoder or settings.encoder)
    best = encoder_name_for(wanted, langs)
    if best is None or best == wanted:
        return wanted
    shown = "/".join(str(lang) for lang in langs)
    if args.encoder:
        print(f"parallax align: warning: {wanted} does not cover {shown}; {best} does",
              file=sys.stderr)  # fmt: skip
        return wanted
    print(f"parallax align: {wanted} does not cover {shown}; using {best}", file=sys.stderr)
    return best


def cmd_align(args: argparse.Namespace) -> int:
    """Align two plain files and print beads (0-based line or paragraph numbers) or JSON."""
    import json

    from app.align.core import align_documents, align_sentences
    from app.ingest import IngestError, parse_bytes

    settings = _settings(args)
    encoder = load_encoder(_align_encoder_name(args, settings))
    kind = None
    related: list = []  # type: ignore[type-arg]
    try:
        if args.presplit:
            src, tgt = (
                Path(p).read_text(encoding="utf-8").splitlines() for p in (args.src, args.tgt)
            )
            beads = align_sentences(src, tgt, encoder)
        else:
            docs = [
                parse_bytes(
                    Path(p).read_bytes(), source=Path(p).name, max_bytes=settings.max_upload_bytes
                )
                for p in (args.src, args.tgt)
            ]
            result = align_documents(
                [p.text for p in docs[0].paragraphs],
                [p.text for p in docs[1].paragraphs],
                encoder,
                src_allowed=[is_linkable(p.kind, p.lang, docs[0].lang) for p in docs[0].paragraphs],
                tgt_allowed=[is_linkable(p.kind, p.lang, docs[1].lang) for p in docs[1].paragraphs],
            )
            kind, beads, related = result.kind, result.translation_beads, result.related_beads
    except (OSError, UnicodeDecodeError, IngestError) as exc:
        print(f"parallax align: {exc}", file=sys.stderr)
        return 2
    if args.format == "beads":
        for bead in beads:
            print(f"{list(bead.src)}:{list(bead.tgt)}")
    else:
        out = {
            "kind": kind,
            "beads": [
                {"src": list(b.src), "tgt": list(b.tgt), "score": round(b.score, 4)} for b in beads
            ],
            "related": [
                {"src": list(b.src), "tgt": list(b.tgt), "score": round(b.score, 4)}
                for b in related
            ],
        }
        print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    """Create an account; the password is prompted for (or read from stdin)."""
    import getpass

    from app.auth import hash_password
    from app.models import User

    settings = _settings(args)
    upgrade(settings.database_url)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if password != getpass.getpass("again: "):
            print("parallax user add: the passwords differ; nothing was created", file=sys.stderr)
            return 2
    if len(password) < 8:
        print("parallax user add: the password must have at least 8 characters", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        if session.exec(select(User).where(User.name == args.name)).first() is not None:
            print(f"parallax user add: user {args.name!r} already exists", file=sys.stderr)
            return 2
        session.add(User(name=args.name, password_hash=hash_password(password), role=args.role))
        session.commit()
    print(f"created {args.role} {args.name}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write a story (or one document pair) as TMX, TSV or JSON to stdout or a file."""
    from app.exchange import ExchangeError
    from app.services.exchange import export_story, render_export

    settings = _settings(args)
    engine = make_engine(settings.database_url)
    pair = None
    if args.documents:
        a, _, b = args.documents.partition(",")
        if not (a.isdigit() and b.isdigit()):
            print(
                "parallax export: --documents takes two ids, e.g. --documents 1,2", file=sys.stderr
            )
            return 2
        pair = (int(a), int(b))
    with Session(engine) as session:
        story = export_story(session, args.story)
    if story is None:
        print(f"parallax export: story {args.story} does not exist", file=sys.stderr)
        return 2
    try:
        body = render_export(story, args.format, pair)
    except ExchangeError as err:
        print(f"parallax export: {err}", file=sys.stderr)
        return 2
    if args.output:
        Path(args.output).write_bytes(body)
    else:
        sys.stdout.buffer.write(body)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import TMX files, each as a new story."""
    from app.exchange import ExchangeError
    from app.services.exchange import import_tmx

    settings = _settings(args)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    status = 0
    for name in args.files:
        try:
            story_id = import_tmx(
                engine=engine, data=Path(name).read_bytes(), source=Path(name).name
            )
        except (OSError, ExchangeError) as err:
            print(f"parallax import: {err}", file=sys.stderr)
            status = 1
            continue
        print(f"{name}: story {story_id}")
    return status


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="parallax", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="apply migrations, ingest the seeds if empty, serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--db", help="SQLite file (default: PARALLAX_DATABASE_URL or data/parallax.db)"
    )
    serve.set_defaults(func=cmd_serve)

    ingest = sub.add_parser("ingest", help="ingest files or folders of articles")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--db", help="SQLite file")
    ingest.set_defaults(func=cmd_ingest)

    user = sub.add_parser("user", help="manage accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="create an account (prompts for the password)")
    add.add_argument("name")
    add.add_argument("--role", choices=("reader", "editor", "admin"), default="editor")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--db", help="SQLite file")
    add.set_defaults(func=cmd_user_add)

    export = sub.add_parser("export", help="write a story as TMX, TSV or JSON")
    export.add_argument("story", type=int, metavar="STORY")
    export.add_argument("--format", choices=("tmx", "tsv", "json"), default="tmx")
    export.add_argument("--documents", help="two document ids, one pair only: ID,ID")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.add_argument("--db", help="SQLite file")
    export.set_defaults(func=cmd_export)

    imp = sub.add_parser("import", help="import TMX files, each as a new story")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--db", help="SQLite file")
    imp.set_defaults(func=cmd_import)

    align = sub.add_parser("align", help="align two files and print the beads")
    align.add_argument("src", metavar="SRC")
    align.add_argument("tgt", metavar="TGT")
    align.add_argument("--presplit", action="store_true", help="each input line is one sentence")
    align.add_argument("--format", choices=("beads", "json"), default="beads")
    align.add_argument("--encoder", choices=("usem3", "e5"), help="default: PARALLAX_ENCODER")
    align.set_defaults(func=cmd_align)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `parallax` console script."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
