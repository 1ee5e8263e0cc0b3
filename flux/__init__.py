"""Flux Marketing: the project package and the cross-cutting core."""

from flux.celery import app as celery_app

__all__ = ["celery_app"]
