"""Fuzz the JSON API from its OpenAPI document with schemathesis; count 5xx and violations.

Usage: .venv/bin/python bench/fuzz.py [--examples 50] [--seed 1]

Builds a fresh database with the seeds ingested (no model: documents stay unaligned, so the
run measures the API, not the encoder) plus one editor account, and runs every operation
`--examples` times anonymously and as the editor, in process (ASGI). It prints the number of
requests, of 5xx answers, and of schema violations per check (undocumented status codes,
content types, response shapes), then the first example of each kind of failure.
"""

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import schemathesis  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from schemathesis.core.result import Err  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from app.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.pipeline.jobs.batch import ingest_here  # noqa: E402
from tests.factories import login, make_user  # noqa: E402


def build(folder: Path) -> tuple[object, dict[str, str]]:
    url = f"sqlite:///{folder / 'fuzz.db'}"
    upgrade(url)
    app = create_app(
        Settings(
            database_url=url,
            load_encoder=False,
            open_uploads=True,
            rate_limit_writes="1000000/minute",
            rate_limit_uploads="1000000/hour",
            rate_limit_login_address="1000000/minute",
            rate_limit_login_name="1000000/minute",
        )
    )
    engine = app.state.engine
    ingest_here(engine, None, sorted((REPO / "seeds").glob("*.txt")))
    make_user(engine, "ed")
    client = TestClient(app)
    client.__enter__()
    login(client, "ed")
    cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return app, {"cookie": cookies, "x-csrftoken": client.cookies["csrftoken"]}


def fuzz(app: object, headers: dict[str, str] | None, examples: int, rng: int) -> dict:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    stats: dict = {"requests": 0, "5xx": 0, "violations": collections.Counter(), "first": {}}
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        _runner(result.ok(), headers, examples, rng, stats)()
    return stats


def _runner(operation, headers, examples: int, rng: int, stats: dict):  # type: ignore[no-untyped-def]
    """A hypothesis test over one operation that counts instead of failing."""

    @seed(rng)
    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(headers=headers)
        stats["requests"] += 1
        if response.status_code >= 500:
            stats["5xx"] += 1
            stats["first"].setdefault(f"5xx {operation.label}", response.text[:300])
        try:
            case.validate_response(response, excluded_checks=[positive_data_acceptance])
        except Exception as exc:  # noqa: BLE001 - counted, not raised
            for line in str(exc).splitlines():
                if line.strip().startswith("- "):
                    name = line.strip()[2:]
                    stats["violations"][name] += 1
                    stats["first"].setdefault(f"{name} {operation.label}", str(exc)[:400])

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50, help="examples per operation")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, editor = build(Path(tmp))
        started = time.monotonic()
        for who, headers in (("anonymous", None), ("editor", editor)):
            stats = fuzz(app, headers, args.examples, args.seed)
            print(
                f"{who}: {stats['requests']} requests, {stats['5xx']} answered 5xx, "
                f"{sum(stats['violations'].values())} schema violations "
                f"{dict(stats['violations'])}"
            )
            for key, text in stats["first"].items():
                print(f"  first {key}: {text!r}")
        print(
            f"{time.monotonic() - started:.0f} s; command: bench/fuzz.py --examples "
            f"{args.examples} --seed {args.seed}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
