# One image for both roles: `xlimport serve` (api) and `xlimport worker` (worker).
FROM python:3.11-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
COPY migrations ./migrations
COPY hyperformula/engine.js hyperformula/package.json hyperformula/package-lock.json ./hyperformula/
RUN pip install --no-cache-dir . \
    && xlimport engine install

ENV XLIMPORT_HOME=/data
VOLUME /data
EXPOSE 8000
CMD ["xlimport", "serve", "--host", "0.0.0.0", "--port", "8000"]
