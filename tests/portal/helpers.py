"""Small helpers for reading the portal's responses."""

from __future__ import annotations

import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.db import db


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(element) -> str:
    """An element's text with runs of white space made single spaces, as a resident would read it."""
    return " ".join(element.get_text(" ").split())


def rows(model) -> list:
    db.session.rollback()  # a fresh read: another application (see csrf_app) may have written since
    return list(db.session.scalars(sa.select(model).order_by(model.id)))


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
