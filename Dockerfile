# pg-mcp serving a team over HTTP. Run with a read-only root filesystem:
#   docker run --read-only --tmpfs /tmp -p 8000:8000 -e PG_MCP_POSTGRES_DSN=... \
#     -e PG_MCP_AUTH_TOKENS='{"<token>": "alice"}' pg-mcp
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY domain domain
COPY application application
COPY adapters adapters
COPY bootstrap bootstrap
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin pgmcp
# Nothing is written but to /tmp (a tmpfs when the root filesystem is read-only).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOME=/tmp
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
ENTRYPOINT ["pg-mcp"]
# 0.0.0.0 needs authentication (PG_MCP_AUTH_TOKENS or PG_MCP_OAUTH_*): it refuses to start without.
CMD ["serve", "--http", "0.0.0.0:8000"]
