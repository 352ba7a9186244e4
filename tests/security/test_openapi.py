"""The OpenAPI document tells the truth: schemathesis fuzzes every operation on a small budget
(anonymous and as an editor) and checks status codes, content types and error shapes.

The bigger run is bench/fuzz.py, which prints the 5xx count."""

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy.engine import Engine

from app.config import Settings
from app.main import create_app
from tests.factories import UNRELATED_ARTICLE, login, make_user

pytestmark = pytest.mark.fuzz


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, dict[str, str]]]:
    """One app for the whole module: a document, an editor and the editor's headers."""
    from app.db import make_engine
    from app.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    upgrade(url)
    engine: Engine = make_engine(url)
    make_user(engine, "ed")
    app = create_app(
        Settings(
            database_url=url,
            load_encoder=False,
            queue_url="inline",
            open_uploads=True,
            rate_limit_writes="100000/minute",
            rate_limit_uploads="100000/hour",
            rate_limit_login_address="100000/minute",
        )
    )
    with TestClient(app) as client:
        assert client.post("/api/documents", json={"text": UNRELATED_ARTICLE}).status_code == 202
        login(client, "ed")
        cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        yield app, {"cookie": cookies, "x-csrftoken": client.cookies["csrftoken"]}
    engine.dispose()


BUDGET = settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# The schema says what a field is, not whether a text is an article in a supported language
# or a paragraph index exists: a schema-valid request may still be refused with 404/422.
EXCLUDED = [positive_data_acceptance]


def fuzz(app: object, headers: dict[str, str] | None) -> dict[str, str]:
    """Run every operation on the budget; the failures by operation (schemathesis' checks:
    no 5xx, documented status codes, content types and response shapes)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()

        @given(case=operation.as_strategy())
        @BUDGET
        def run(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - report every operation, not the first
            failures[operation.label] = str(exc)[:600]
    return failures


def test_anonymous(fuzz_app: tuple[object, dict[str, str]]) -> None:
    assert fuzz(fuzz_app[0], None) == {}


def test_as_editor(fuzz_app: tuple[object, dict[str, str]]) -> None:
    assert fuzz(*fuzz_app) == {}
