"""Jobs: their state as JSON, and live progress fragments the pages poll through HTMX."""

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse

from app.deps import EngineDep
from app.services.jobs import JobOut, get_job, job_out, recent_jobs
from app.templating import templates

router = APIRouter(tags=["jobs"])


@router.get(
    "/api/jobs/{job_id}", response_model=JobOut, responses={404: {"description": "no such job"}}
)
def job_state(job_id: int, engine: EngineDep) -> JobOut:
    """A background job's status, progress, error and result."""
    job = get_job(engine, job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"job {job_id} does not exist")
    return job_out(job)


@router.get("/jobs/{job_id}/progress", response_class=HTMLResponse, include_in_schema=False)
def job_progress(job_id: int, request: Request, engine: EngineDep) -> HTMLResponse:
    """One job's progress line; it keeps polling itself until the job is over."""
    job = get_job(engine, job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"job {job_id} does not exist")
    response = templates.TemplateResponse(request, "jobs/_job.html", {"job": job})
    if job.kind == "ingest" and job.status == "done":
        # The home page's story list listens for this and reloads itself: the new story shows.
        response.headers["HX-Trigger"] = "parallax:stories-changed"
    return response


@router.get("/jobs/active", response_class=HTMLResponse, include_in_schema=False)
def active_jobs(request: Request, engine: EngineDep) -> HTMLResponse:
    """The home page's list of jobs in progress."""
    return templates.TemplateResponse(request, "jobs/_active.html", {"jobs": recent_jobs(engine)})
