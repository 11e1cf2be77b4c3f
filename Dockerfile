# Courier's API and worker image (used by compose.yaml).
FROM python:3.12-slim
WORKDIR /srv/courier
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md ./
COPY app ./app
COPY tasks ./tasks
COPY sql ./sql
COPY migrations ./migrations
# Editable install: the SQL files and migrations are read from this directory.
RUN pip install -e .
RUN useradd --system --uid 10001 courier
USER courier
EXPOSE 8000
CMD ["courier", "api", "--host", "0.0.0.0", "--port", "8000"]
