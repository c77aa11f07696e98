"""Small ipywidgets front ends. Their callbacks are plain functions, tested without a browser."""
from __future__ import annotations

import html

import ipywidgets as w
import sqlalchemy as sa

from labkit import db
from labkit.explorer import ExplorerBox

ENDPOINT_CHOICES = {
    "PostgreSQL": ["pg-writer", "pg-reader", "pg-proxy", "pg-node1", "pg-node2", "pg-node3"],
    "MySQL": ["mysql-writer", "mysql-reader"],
}


def describe_endpoint(name: str) -> str:
    """Connect to endpoint ``name`` once and say, in one line, which node answered and how."""
    engine = db.engine(name, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            who = db.identify(conn)
    except sa.exc.OperationalError as exc:
        return f"{name}: no answer ({exc.orig})"
    finally:
        engine.dispose()
    mode = "read-only" if who.read_only else "read/write"
    return f"{name} → {who.node} ({mode}, {who.version})"


def endpoint_explorer() -> ExplorerBox:
    """Pick an engine and an endpoint; each click opens a new connection and shows who answered."""
    engine = w.ToggleButtons(options=list(ENDPOINT_CHOICES), description="engine")
    endpoint = w.Dropdown(options=ENDPOINT_CHOICES["PostgreSQL"], description="endpoint")
    button = w.Button(description="connect", icon="plug")
    log = w.HTML()
    answers: list[str] = []

    def on_engine(change) -> None:
        endpoint.options = ENDPOINT_CHOICES[change["new"]]

    def on_click(_=None) -> None:
        answers.insert(0, describe_endpoint(endpoint.value))
        log.value = "<br>".join(html.escape(a) for a in answers[:8])

    engine.observe(on_engine, names="value")
    button.on_click(on_click)
    on_click()
    return ExplorerBox([engine, w.HBox([endpoint, button]), log])
