# syntax=docker/dockerfile:1

# Builder: install the package and its dependencies into a virtualenv.
FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
# The pinned, hashed dependencies first (a layer that changes only with the lock file),
# then our package without resolving anything again.
COPY requirements.lock .
RUN --mount=type=cache,target=/root/.cache/pip \
    /opt/venv/bin/pip install --require-hashes -r requirements.lock
COPY . .
RUN /opt/venv/bin/pip install --no-deps .

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
# The API answers on BAZAAR_PORT; a runner, relay, worker or saga executor given a
# METRICS_PORT (docker-compose.yml gives each one) answers there.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["bazaar", "healthcheck"]
ENTRYPOINT ["bazaar"]
CMD ["api"]
