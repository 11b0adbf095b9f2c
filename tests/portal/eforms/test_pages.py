"""Every e-form page is well-formed: it parses, has one h1, a title starting with it and unique ids,
whether it is shown fresh, with answers, or with errors."""

from __future__ import annotations

import pytest

from crm_bridge.catalogue import default_catalogue

from ..helpers import assert_well_formed, page, text
from .journeys import JOURNEYS, answer, picture, start, upload

HEADINGS = {"location": "Where is it?", "photos": "Add photos", "your-details": "Your details"}


def test_list_of_forms_links_to_every_form(client):
    response = client.get("/report")

    assert assert_well_formed(response, 200) == "Report, request or tell us"
    links = {link["href"] for link in page(response).main.find_all("a")}
    assert links == {f"/report/{request_type.code}" for request_type in default_catalogue()}


def test_every_forms_start_page_and_first_page_are_well_formed(client):
    for request_type in default_catalogue():
        start_page = client.get(f"/report/{request_type.code}")
        assert assert_well_formed(start_page, 200) == request_type.name
        assert request_type.description in text(page(start_page).main)
        first = client.get(start(client, request_type.code).location)
        assert assert_well_formed(first, 200) == request_type.name
        labels = text(page(first).main.find("form"))
        assert all(question.label in labels for question in request_type.questions if question.when is None)
        assert request_type.details_label in labels


@pytest.mark.parametrize("code", list(JOURNEYS))
def test_every_page_of_a_journey_is_well_formed_fresh_with_errors_and_filled_in(client, code):
    request_type = default_catalogue().get(code)
    location = start(client, code).location
    for step, data in JOURNEYS[code].items():
        heading = HEADINGS.get(step, request_type.name)
        assert location == f"/report/{code}/{step}"
        assert assert_well_formed(client.get(location), 200) == heading, step
        if step != "photos":
            invalid = answer(client, code, step, dict.fromkeys(data, "x" * 5001))  # every field wrong
            assert assert_well_formed(invalid, 422) == heading, step
            assert page(invalid).find(class_="govuk-error-summary")
        location = answer(client, code, step, data).location
        assert assert_well_formed(client.get(f"/report/{code}/{step}"), 200) == heading, step
    assert location == f"/report/{code}/check-answers"

    check = client.get(location)
    assert assert_well_formed(check, 200) == "Check your answers before sending"
    changes = [text(link) for link in page(check).select(".govuk-summary-list__actions a")]
    assert len(changes) == len(set(changes))  # each 'Change' link says what it changes
    sent = client.get(client.post(location).location)
    assert assert_well_formed(sent, 200) == "Your request has been sent"


def test_photos_page_with_three_photos_is_well_formed(client):
    start(client, "fly-tipping")
    for step in ("questions", "questions-2", "location"):
        answer(client, "fly-tipping", step, JOURNEYS["fly-tipping"][step])
    for _ in range(3):
        upload(client, "fly-tipping", picture())

    response = client.get("/report/fly-tipping/photos")

    assert assert_well_formed(response, 200) == "Add photos"
    images = page(response).main.find_all("img")
    assert [image["alt"] for image in images] == [f"Photo {number} you added" for number in (1, 2, 3)]
    buttons = [text(button) for button in page(response).main.find_all("button")]
    assert buttons == ["Continue", "Remove photo 1", "Remove photo 2", "Remove photo 3"]


@pytest.mark.parametrize(
    "url", ["/report/no-such-form", "/report/no-such-form/questions", "/report/missed-bin/x"]
)
def test_unknown_form_or_page_is_not_found(client, url):
    if url.startswith("/report/missed-bin/"):
        start(client, "missed-bin")

    assert assert_well_formed(client.get(url), 404) == "Page not found"


def test_a_question_without_a_hint_shows_no_hint(client):
    client.post("/report/missed-bin")
    html = client.get("/report/missed-bin/questions").get_data(as_text=True)
    assert ">None<" not in html.replace(" ", "").replace("\n", "")
    assert "bin-hint" not in html
