# Parallax: the same app as `scripts/serve.sh`, in a container.
#   docker build -t parallax . && docker run -p 8000:8000 -v parallax-data:/data parallax
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    PARALLAX_DATABASE_URL=sqlite:////data/parallax.db \
    PARALLAX_DATA_DIR=/data
RUN useradd --create-home --uid 10001 parallax && mkdir /data && chown parallax:parallax /data

# The word card's offline dictionaries (Debian's FreeDict packages, under /usr/share/dictd).
COPY scripts/dictionaries.sh /tmp/
RUN sh /tmp/dictionaries.sh && rm -rf /var/lib/apt/lists/* /tmp/dictionaries.sh

# Dependencies first, from the lock alone (every file hash-checked): this layer is rebuilt
# only when requirements/base.txt changes, not on every code change.
COPY requirements/pip.txt requirements/base.txt requirements/postgres.txt /tmp/
RUN python -m venv /opt/venv \
    && pip install --no-cache-dir --require-hashes -r /tmp/pip.txt \
    && pip install --no-cache-dir --require-hashes -r /tmp/base.txt \
    && pip install --no-cache-dir --require-hashes --no-deps -r /tmp/postgres.txt \
    && rm /tmp/pip.txt /tmp/base.txt /tmp/postgres.txt

# Then the project, as a plain (non-editable) install: templates, static files, migrations
# and seeds go to /opt/venv/share/parallax (package data), and the sources are removed.
WORKDIR /src
COPY pyproject.toml README.md LICENSE alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY seeds ./seeds
RUN pip install --no-cache-dir --no-deps --no-build-isolation . && cd / && rm -rf /src

WORKDIR /data
USER parallax
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["parallax", "serve", "--host", "0.0.0.0", "--port", "8000"]
