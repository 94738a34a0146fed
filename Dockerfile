# syntax=docker/dockerfile:1

# Builder: install the package and its dependencies into a virtualenv.
FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/pip /opt/venv/bin/pip install .

# Runtime: the virtualenv only, run as an unprivileged user.
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BAZAAR_ENV=prod \
    BAZAAR_HOST=0.0.0.0 \
    BAZAAR_PORT=8000
RUN useradd --system --create-home --home-dir /app --shell /usr/sbin/nologin bazaar
COPY --from=builder /opt/venv /opt/venv
USER bazaar
WORKDIR /app
EXPOSE 8000
# Only the API serves HTTP; docker-compose.yml disables this check for the other commands.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=2)"]
ENTRYPOINT ["bazaar"]
CMD ["api"]
