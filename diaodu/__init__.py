"""Diaodu (调度): scheduling and supervision of key projects."""

from diaodu.celery import app as celery_app

__all__ = ["celery_app"]
