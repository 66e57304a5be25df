"""``alongside serve``: the production server (gunicorn), one app per worker process."""

from __future__ import annotations

import gc
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication


class AlongsideServer(BaseApplication):
    """Gunicorn building ``create_app()`` in each worker: not preloaded, no shared connections."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from server import create_app

        app = create_app()
        # The app, its mappers, schemas and instruments live as long as the worker. Frozen,
        # the collector stops re-scanning them on every full collection: a 500-change push
        # allocates enough to trigger several, and they cost about a fifth of its CPU.
        gc.collect()
        gc.freeze()
        return app


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="HOST:PORT to listen on.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--timeout", default=60, show_default=True, type=click.IntRange(5, 3600))
def serve_command(bind: str, workers: int, threads: int, timeout: int) -> None:
    """Serve Alongside with gunicorn (use behind TLS; set ALONGSIDE_TRUSTED_PROXY_COUNT)."""
    AlongsideServer(
        {
            "bind": bind,
            "workers": workers,
            "threads": threads,
            "timeout": timeout,
            "accesslog": "-",
            # Paths only: query strings can carry cursors and must not land in logs.
            "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms',
        }
    ).run()


def init_app(app: Flask) -> None:
    """Register ``serve``."""
    app.cli.add_command(serve_command)
