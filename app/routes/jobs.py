"""Jobs: their state as JSON, and live progress fragments the pages poll through HTMX.

A job is seen by whoever submitted it and by those who may read what it works on; anyone
else gets 404, as for a job that does not exist.
"""

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse

from app.auth import UserDep
from app.deps import EngineDep, SessionDep
from app.library.visibility import job_visible
from app.models import Job, JobKind, JobStatus, User
from app.pipeline.jobs.submit import JobOut, get_job, job_out, visible_jobs
from app.templating import templates

router = APIRouter(tags=["jobs"])


def _job(engine: EngineDep, session: SessionDep, job_id: int, user: User | None) -> Job:
    job = get_job(engine, job_id) if 0 < job_id < 2**63 else None
    if job is None or not job_visible(session, job, user):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"job {job_id} does not exist")
    return job


@router.get(
    "/api/jobs/{job_id}", response_model=JobOut, responses={404: {"description": "no such job"}}
)
def job_state(job_id: int, engine: EngineDep, session: SessionDep, user: UserDep) -> JobOut:
    """A background job's status, progress, error and result."""
    return job_out(_job(engine, session, job_id, user))


@router.get("/jobs/{job_id}/progress", response_class=HTMLResponse, include_in_schema=False)
def job_progress(
    job_id: int, request: Request, engine: EngineDep, session: SessionDep, user: UserDep
) -> HTMLResponse:
    """One job's progress line; it keeps polling itself until the job is over."""
    job = _job(engine, session, job_id, user)
    response = templates.TemplateResponse(request, "jobs/_job.html", {"job": job})
    if job.kind == JobKind.INGEST and job.status == JobStatus.DONE:
        # The home page's story list listens for this and reloads itself: the new story shows.
        response.headers["HX-Trigger"] = "parallax:stories-changed"
    return response


@router.get("/jobs/active", response_class=HTMLResponse, include_in_schema=False)
def active_jobs(request: Request, session: SessionDep, user: UserDep) -> HTMLResponse:
    """The home page's list of jobs in progress."""
    return templates.TemplateResponse(
        request, "jobs/_active.html", {"jobs": visible_jobs(session, user)}
    )
