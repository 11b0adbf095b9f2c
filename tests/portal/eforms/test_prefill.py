"""What the resident did before starting travels with the form: what they typed, searched for and asked."""

from __future__ import annotations

from crm_bridge.models import Case

from ..helpers import page, rows
from .journeys import JOURNEYS, answer, send, shown_values, the_draft


def start_from_the_start_page(client, url: str):
    """Press 'Start now' on the start page, sending its form as a browser would."""
    form = page(client.get(url)).main.find("form")
    data = {field["name"]: field.get("value", "") for field in form.find_all("input")}
    response = client.post(form["action"], data=data)
    assert response.status_code == 302
    return response


def finish(client, code: str) -> Case:
    for step, data in JOURNEYS[code].items():
        if step != "questions":
            answer(client, code, step, data)
    send(client, code)
    [case] = rows(Case)
    return case


def test_text_from_the_address_goes_in_the_details_box(client):
    response = start_from_the_start_page(client, "/report/missed-bin?q=Bins+not+emptied+on+Elm+Street")

    assert shown_values(client.get(response.location))["details"] == "Bins not emptied on Elm Street"
    assert the_draft().details == "Bins not emptied on Elm Street"


def test_prefilled_text_is_only_a_start_the_resident_can_change(client):
    start_from_the_start_page(client, "/report/complaint?q=rude")
    answer(client, "complaint", "questions", JOURNEYS["complaint"]["questions"])

    case = finish(client, "complaint")

    assert case.details == "The warden was rude to me."


def test_searches_before_starting_travel_with_the_case(client):
    client.get("/search", query_string={"q": "missed bin"})
    client.get("/search", query_string={"q": "bin not collected"})
    start_from_the_start_page(client, "/report/missed-bin")
    answer(client, "missed-bin", "questions", JOURNEYS["missed-bin"]["questions"])

    case = finish(client, "missed-bin")

    assert [search["query"] for search in case.searches] == ["missed bin", "bin not collected"]
    assert case.transcript == []


def test_the_chat_transcript_travels_with_the_case(client):
    client.post("/ask", data={"question": "Who do I complain to about a parking warden?"})
    start_from_the_start_page(client, "/report/complaint")
    answer(client, "complaint", "questions", JOURNEYS["complaint"]["questions"])

    case = finish(client, "complaint")

    asked = [entry for entry in case.transcript if entry["role"] == "resident"]
    assert [entry["text"] for entry in asked] == ["Who do I complain to about a parking warden?"]
    assert {entry["role"] for entry in case.transcript} == {"resident", "assistant"}
    assert case.searches == []


def test_a_visitor_who_did_not_search_or_chat_sends_neither(client, app):
    other = app.test_client()
    other.get("/search", query_string={"q": "somebody else's search"})
    other.post("/ask", data={"question": "somebody else's question"})
    start_from_the_start_page(client, "/report/complaint")
    answer(client, "complaint", "questions", JOURNEYS["complaint"]["questions"])

    case = finish(client, "complaint")

    assert (case.searches, case.transcript) == ([], [])
