# bbslack: the Slack bot, in Socket Mode or HTTP mode (see DESIGN.md for the variables).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, in their own layer: editing the bot's code does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep=chr(10))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# pyproject.toml again, beside README.md, the package's long description (if present).
COPY pyproject.toml README.md* ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install --no-deps . && rm -rf build *.egg-info

# The bot never needs root; /data holds the SQLite database and survives the container.
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin bbslack \
    && mkdir /data \
    && chown bbslack:bbslack /data
VOLUME /data
ENV BBSLACK_DB=/data/bbslack.db
USER bbslack

EXPOSE 3000

# slim has no curl. `bbslack run` serves /healthz in both modes (in Socket Mode too);
# an error or a 503 answer raises, and Python then exits 1: unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${BBSLACK_PORT:-3000}/healthz', timeout=4)"

CMD ["bbslack", "run"]
