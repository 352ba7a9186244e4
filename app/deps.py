"""FastAPI dependencies: settings, a database session per request."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config import Settings
from app.models import LinkEvent
from app.pipeline.jobs.runtime import Runtime
from app.pipeline.jobs.submit import refresh_after_review


def get_app_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """One session per request.

    Every editorial change is recorded as a LinkEvent; once such a change is committed, the
    story's sentence links and findings are refreshed by a background job.
    """
    with Session(request.app.state.engine) as session:
        changed: set[int] = set()

        @event.listens_for(session, "before_flush")
        def collect(sess: Session, _ctx: object, _instances: object) -> None:
            changed.update(obj.story_id for obj in sess.new if isinstance(obj, LinkEvent))

        @event.listens_for(session, "after_commit")
        def refresh(_sess: Session) -> None:
            stories = sorted(changed)
            changed.clear()
            for story_id in stories:
                refresh_after_review(request.app.state.runtime, story_id)

        @event.listens_for(session, "after_rollback")
        def forget(_sess: Session) -> None:
            changed.clear()

        yield session


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_runtime(request: Request) -> Runtime:
    """The app's job runtime: its queue, and the engine jobs are stored with."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
