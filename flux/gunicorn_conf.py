"""gunicorn's settings for the web container: `gunicorn flux.wsgi:application --config
python:flux.gunicorn_conf` (Dockerfile, docker-compose.yml). Flags on the command line win."""

bind = "0.0.0.0:8000"
workers = 3  # sync workers: one request each; 2 cores, and most time is in PostgreSQL
timeout = 60
accesslog = "-"
# The path without its query string: on the OAuth callbacks the query holds the one-time code
# and the state, and a log line outlives both. The referer and user agent are left out too
# (the referer of a callback is the provider's consent page, with its own query).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
