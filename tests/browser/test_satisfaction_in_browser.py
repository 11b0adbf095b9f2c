"""The kiosk's satisfaction question in real Chromium: Finish wipes the visit and asks the one question;
the comment is typed on the on-screen keyboard; answering ends on the wiped start screen, and pressing
Back brings back neither the question nor the comment."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from crm_bridge.models import SatisfactionRating
from portal.chat.models import ChatSession
from portal.db import db
from tests.portal.helpers import count

KEYBOARD = "#app-kiosk-keyboard"
QUESTION = "Where does Quillfeather put the recycling"


def test_finish_then_rate_then_the_start_screen_and_back_shows_nothing(kiosk_page, app):
    page = kiosk_page
    app.config.update(KIOSK_IDLE_SECONDS=600)
    page.goto("/kiosk")
    page.tap("#task-ask")
    page.fill("#question", QUESTION)
    page.press("#question", "Escape")
    page.click("button:has-text('Ask')")
    expect(page.locator("#latest")).to_be_visible(timeout=20_000)  # the first search builds the index

    page.tap("#kiosk-finish")

    page.wait_for_url("**/rate-our-service/kiosk-visit")
    assert count(ChatSession) == 0  # wiped before the question is asked
    expect(page.locator("legend")).to_have_text(
        "Overall, how did you feel about the service you received today?"
    )
    assert QUESTION not in page.content()
    page.get_by_label("Good", exact=True).tap()
    comment = page.locator("#satisfaction-comment")
    comment.tap()
    expect(page.locator(KEYBOARD)).to_be_visible()
    for key in "kind":
        page.locator(KEYBOARD).get_by_role("button", name=key, exact=True).tap()
    expect(comment).to_have_value("kind")
    page.press("#satisfaction-comment", "Escape")
    page.click("#satisfaction-send")

    page.wait_for_url("**/kiosk")
    expect(page.locator("h1")).to_have_text("How can we help you today?")
    db.session.rollback()
    [rating] = db.session.scalars(sa.select(SatisfactionRating))
    assert (rating.moment, rating.rating, rating.comment, rating.kiosk_id) == (
        "kiosk_visit",
        4,
        "kind",
        page.kiosk.id,
    )

    # The next visitor presses Back: no question, no comment, nothing of the visit.
    for _step in range(4):
        if page.go_back(wait_until="load") is None:
            break
        assert "rate-our-service" not in page.url or page.locator("#satisfaction-comment").count() == 0
        values = page.evaluate(
            "() => [...document.querySelectorAll('input, textarea')].map((f) => f.value).join(' ')"
        )
        assert "kind" not in values.split() and QUESTION not in page.content(), page.url
