"""Reading the satisfaction panel off a page and answering it as a browser would."""

from __future__ import annotations

import sqlalchemy as sa

from crm_bridge.models import SatisfactionRating
from portal.db import db

from ..helpers import page

HTMX = {"HX-Request": "true"}


def rating_form(response) -> dict[str, str]:
    """The hidden fields of the rating form on the page (the signed token, CSRF, the way back)."""
    panel = page(response).find(id="satisfaction")
    assert panel is not None, "no satisfaction panel on the page"
    form = panel.find("form")
    return {field["name"]: field.get("value", "") for field in form.find_all("input", type="hidden")}


def rate(client, response, rating: str | None = "5", comment: str = "", headers=None):
    """Answer the question on `response`'s page."""
    data = rating_form(response) | {"satisfaction-comment": comment}
    if rating is not None:
        data["satisfaction-rating"] = rating
    return client.post("/rate-our-service", data=data, headers=headers or {})


def ratings() -> list[SatisfactionRating]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(SatisfactionRating).order_by(SatisfactionRating.id)))
