FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings

WORKDIR /app

# WeasyPrint (the constancia PDF, COP-03) needs Pango and a font with Spanish accents.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
       postgresql-client \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.lock /app/requirements.lock
RUN pip install --no-cache-dir -r requirements.lock

COPY . /app

# Build-time only values: the real secret key comes from the runtime environment.
RUN DJANGO_SECRET_KEY=build-time-dummy-not-secret \
    DJANGO_DEBUG=false \
    python manage.py collectstatic --noinput

RUN useradd --system --create-home --uid 1000 app \
    && mkdir -p /data/media \
    && chown -R app:app /app /data
USER app

EXPOSE 8000

# ASGI: pages, API and the live websockets (/ws/live/) in the same workers.
CMD ["gunicorn", "config.asgi:application", "-k", "uvicorn_worker.UvicornWorker", \
     "--bind", "0.0.0.0:8000", "--workers", "3"]
