# Parallax: the same app as `scripts/serve.sh`, in a container.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PARALLAX_DATABASE_URL=sqlite:////data/parallax.db \
    PARALLAX_DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
RUN pip install --no-cache-dir -e .
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY seeds ./seeds
VOLUME /data
EXPOSE 8000
CMD ["parallax", "serve", "--host", "0.0.0.0", "--port", "8000"]
