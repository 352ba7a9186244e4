"""Background jobs: the heavy work (parsing, encoding, grouping, aligning) off the request.

huey delivers the jobs (SQLite file for the embedded default, Redis for the scale-out); the
`Job` table holds each job's state, so any web process can report progress and a job whose
worker died is found by its stale heartbeat and run again. Tasks are thin: they load ids and
call services, which stay callable inline.
"""
