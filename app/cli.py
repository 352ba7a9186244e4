"""The `parallax` command: serve, ingest."""

import argparse
import logging
import sys
from pathlib import Path

from sqlmodel import Session, select

from app.config import Settings, get_settings
from app.db import make_engine
from app.migrate import upgrade
from app.models import Document
from app.services.ingest import expand_paths, ingest_files

log = logging.getLogger("parallax")


def _settings(args: argparse.Namespace) -> Settings:
    settings = get_settings()
    if getattr(args, "db", None):
        settings = settings.model_copy(
            update={"database_url": f"sqlite:///{Path(args.db).expanduser().resolve()}"}
        )
    return settings


def _progress(files: list[Path]):  # type: ignore[no-untyped-def]
    # A bar only pays off for batches; a single file would just add noise.
    if len(files) < 5 or not sys.stderr.isatty():
        return iter(files)
    from tqdm import tqdm

    return tqdm(files, unit="file", desc="ingest")


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest files or folders and print a one-line summary."""
    settings = _settings(args)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    files = expand_paths(Path(p) for p in args.paths)
    summary = ingest_files(
        engine=engine, files=files, max_bytes=settings.max_upload_bytes, progress=_progress
    )
    print(summary.line())
    return 1 if summary.rejected and not (summary.added or summary.duplicates) else 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Migrate, ingest the seeds into an empty database, then serve."""
    import uvicorn

    from app.main import create_app

    settings = _settings(args)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        empty = session.exec(select(Document.id).limit(1)).first() is None
    if empty and settings.seeds_dir.is_dir():
        summary = ingest_files(
            engine=engine,
            files=expand_paths([settings.seeds_dir]),
            max_bytes=settings.max_upload_bytes,
        )
        log.info("seeds: %s", summary.line())
    engine.dispose()
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="parallax", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="apply migrations, ingest the seeds if empty, serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--db", help="SQLite file (default: PARALLAX_DATABASE_URL or data/parallax.db)")
    serve.set_defaults(func=cmd_serve)

    ingest = sub.add_parser("ingest", help="ingest files or folders of articles")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--db", help="SQLite file")
    ingest.set_defaults(func=cmd_ingest)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `parallax` console script."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
