# The TalentCluster service image: build in one stage, run as a non-root user in another.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md ./
COPY models ./models
COPY service ./service
COPY training ./training
COPY talentcluster ./talentcluster
# torch pinned; pass --build-arg TORCH_INDEX_URL=<a CPU wheel index> to avoid the multi-GB CUDA build.
ARG TORCH_INDEX_URL=""
RUN pip install --no-cache-dir --upgrade pip \
 && pip install --no-cache-dir ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} torch==2.13.0 \
 && pip install --no-cache-dir .

FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 talent
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY data ./data
COPY alembic.ini ./
ENV PATH=/opt/venv/bin:$PATH \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TALENTCLUSTER_HOME=/var/lib/talentcluster \
    TALENTCLUSTER_REFERENCE_DIR=/app/data/reference \
    TALENTCLUSTER_ENV=production
RUN mkdir -p /var/lib/talentcluster && chown talent /var/lib/talentcluster
USER talent
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["talentcluster", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
