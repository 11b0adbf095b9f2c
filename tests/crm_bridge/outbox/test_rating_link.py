"""The email telling a resident their case is resolved asks how we did, with a signed link to the rating
page (a real SMTP server on 127.0.0.1, and a stand-in GOV.UK Notify); other updates do not."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from crm_bridge.adapters import adapters_from_config
from crm_bridge.models import Contact, SatisfactionRating
from crm_bridge.outbox import deliver_due
from crm_bridge.satisfaction import read_token
from crm_bridge.workbench.case_actions import add_public_update, change_status
from portal.db import db

from .conftest import PUBLIC_BASE_URL
from .test_case_update_delivery import body_of, notify_settings, without_acknowledgements
from .test_notify import accepted

RATING_LINK = re.compile(re.escape(PUBLIC_BASE_URL) + r"/rate-our-service\?token=([A-Za-z0-9_.\-]+)")


@pytest.fixture
def advisor(create_staff):
    return create_staff("advisor", name="Alex Advisor")


def smtp_adapters(config, port: int) -> dict:
    return adapters_from_config(config(NOTIFIER="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port))


def test_the_resolution_email_links_to_the_rating_and_other_updates_do_not(
    app, client, make_case, config, smtp_server, advisor
):
    inbox, port = smtp_server()
    case = make_case()
    add_public_update(case, "A crew is on its way.", advisor)
    change_status(case, "resolved", "", advisor, public_message="Your bin has been emptied.")

    deliver_due(smtp_adapters(config, port))

    update, resolution = without_acknowledgements(inbox.emails)
    assert "A crew is on its way." in body_of(update)
    assert "rate-our-service" not in body_of(update)
    body = body_of(resolution)
    assert "Your bin has been emptied." in body and "Tell us how we did" in body
    [token] = RATING_LINK.findall(body)
    transaction = read_token(token, app.config["SECRET_KEY"])
    assert (transaction.moment, transaction.case_id) == ("case_resolved", case.id)

    # The link opens the question for that case; answering it stores the rating on the hand-off contact.
    page = client.get(f"/rate-our-service?token={token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert case.reference in html and "Overall, how did you feel about the service" in html
    answer = client.post(
        "/rate-our-service",
        data={"satisfaction-token": token, "satisfaction-rating": "4", "satisfaction-comment": "Fast."},
    )
    assert answer.status_code == 302 and "/rate-our-service/thank-you" in answer.location
    [rating] = db.session.scalars(sa.select(SatisfactionRating))
    [contact] = db.session.scalars(sa.select(Contact).where(Contact.case_id == case.id))
    assert (rating.moment, rating.case_id, rating.contact_id, rating.rating, rating.comment) == (
        "case_resolved",
        case.id,
        contact.id,
        4,
        "Fast.",
    )


def test_a_resolution_in_welsh_asks_in_welsh_with_the_same_link(app, make_case, config, smtp_server, advisor):
    inbox, port = smtp_server()
    case = make_case(lang="cy")
    change_status(case, "resolved", "", advisor, public_message="Wedi'i wneud.")

    deliver_due(smtp_adapters(config, port))

    [email] = without_acknowledgements(inbox.emails)
    assert email["Content-Language"] == "cy"
    assert len(RATING_LINK.findall(body_of(email))) == 1


def test_notify_gets_the_rating_link_as_personalisation_for_a_resolution_only(
    app, make_case, config, http_stub, advisor
):
    stub = http_stub(accepted)
    case = make_case()
    add_public_update(case, "Soon.", advisor)
    change_status(case, "resolved", "", advisor, public_message="Done.")
    settings = notify_settings(stub, NOTIFY_UPDATE_TEMPLATE_ID=str(uuid.uuid4()))

    deliver_due(adapters_from_config(config(**settings)))

    sent = [r.json for r in stub.requests if r.json["reference"].startswith("case_update:")]
    by_update = {item["personalisation"]["update"]: item["personalisation"] for item in sent}
    assert (by_update["Soon."]["rating_link"], by_update["Soon."]["show_rating"]) == ("", "no")
    assert by_update["Done."]["show_rating"] == "yes"
    [token] = RATING_LINK.findall(by_update["Done."]["rating_link"])
    assert read_token(token, app.config["SECRET_KEY"]).case_id == case.id
