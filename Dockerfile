# One image for web (gunicorn), worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

RUN useradd --create-home --uid 10001 flux
COPY pyproject.toml ./
COPY . .
RUN pip install --upgrade pip && pip install . \
    && FLUX_ENV=build python manage.py collectstatic --no-input

USER flux
EXPOSE 8000
# Bind, workers, timeout and the access log (paths only, no query strings): flux/gunicorn_conf.py
CMD ["gunicorn", "flux.wsgi:application", "--config", "python:flux.gunicorn_conf"]
