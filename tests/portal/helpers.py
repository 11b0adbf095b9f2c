"""Small helpers for reading the portal's responses."""

from __future__ import annotations

from collections import Counter

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


def assert_well_formed(response, status: int) -> str:
    """Checks every page must pass; returns the h1's text."""
    assert response.status_code == status
    assert response.mimetype == "text/html"
    soup = page(response)
    assert soup.html["lang"] == "en"
    headings = soup.find_all("h1")
    assert len(headings) == 1
    heading = text(headings[0])
    assert heading
    assert text(soup.title).startswith(heading)
    ids = Counter(element["id"] for element in soup.find_all(id=True))
    assert [name for name, times in ids.items() if times > 1] == []
    assert len(soup.find_all("main")) == 1
    assert soup.find(id="main-content").name == "main"
    return heading
