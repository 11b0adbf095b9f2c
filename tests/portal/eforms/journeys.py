"""A resident going through a form: the answers each journey gives, and the steps to give them."""

from __future__ import annotations

import io

from PIL import Image

from portal.eforms.models import FormDraft

from ..helpers import page, rows, text

ANN = {
    "name": "Ann Example",
    "email": "ann@example.com",
    "phone": "01632 960 001",
    "preferred_contact": "email",
    "address": "",
}

# The pages of each journey in order, with what the resident types on them ("sent" is what the case keeps).
JOURNEYS = {
    "missed-bin": {
        "questions": {
            "bin": "blue",
            "collection_date": ["3", "11", "2026"],
            "out_by_time": "yes",
            "details": "The recycling was left on the pavement.",
        },
        "location": {"address": "12 Station Road, Northdale", "postcode": "nd1  2ab"},
        "your-details": ANN,
    },
    "fly-tipping": {
        "questions": {
            "what": "furniture",
            "amount": "van",
            "saw_it_happen": "yes",
            "details": "A sofa and two mattresses.",
        },
        "questions-2": {"witness_details": "A white van, about 10pm."},
        "location": {"address": "Lay-by on Mill Lane", "postcode": ""},
        "photos": {},
        "your-details": ANN,
    },
    "complaint": {
        "questions": {
            "category": "officer-behaviour",
            "service_group": "parking",
            "outcome_wanted": "An apology.",
            "previous_reference": "",
            "details": "The warden was rude to me.",
        },
        "your-details": ANN,
    },
    "bus-pass": {
        "questions": {
            "request": "renew",
            "date_of_birth": ["9", "4", "1950"],
            "details": "My pass runs out next month.",
        },
        "questions-2": {"pass_number": "NDC 1234 5678"},
        "your-details": ANN,
    },
    "noise-nuisance": {
        "questions": {"noise_type": "music", "when_happens": "Most nights", "details": "Loud music."},
        "location": {"address": "4 Mill Lane", "postcode": ""},
        "your-details": ANN,
    },
    "general-enquiry": {
        "questions": {"details": "When is the library open?"},
        "location": {"address": "", "postcode": ""},
        "your-details": {**ANN, "email": "", "preferred_contact": "phone"},
    },
}


def start(client, code: str, **form):
    response = client.post(f"/report/{code}", data=form)
    assert response.status_code == 302, response.status_code
    return response


def answer(client, code: str, step: str, data: dict, query: str = ""):
    return client.post(f"/report/{code}/{step}{query}", data=data)


def walk(client, code: str, pages: dict | None = None, until: str | None = None) -> None:
    """Start the form and give each page's answers, checking every page leads to the next one."""
    pages = JOURNEYS[code] if pages is None else pages
    location = start(client, code).location
    for step, data in pages.items():
        if step == until:
            return
        assert location == f"/report/{code}/{step}"
        response = answer(client, code, step, data)
        assert response.status_code == 302, (step, text(page(response).main))
        location = response.location
    assert location == f"/report/{code}/check-answers"


def send(client, code: str):
    """Accept and send; returns the confirmation page."""
    response = client.post(f"/report/{code}/check-answers")
    assert response.location == f"/report/{code}/confirmation"
    return client.get(response.location)


def the_draft() -> FormDraft:
    [draft] = rows(FormDraft)
    return draft


def picture(kind: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A small picture carrying a camera's metadata: where it was taken (GPS) and the camera's make."""
    exif = Image.Exif()
    exif[0x010F] = "Acme Phones"
    exif[0x8825] = {1: "N", 2: (54.0, 58.0, 12.5), 3: "W", 4: (1.0, 36.0, 5.0)}
    out = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(out, format=kind, exif=exif)
    return out.getvalue()


def upload(client, code: str, data: bytes, filename: str = "photo.jpg", query: str = ""):
    return client.post(
        f"/report/{code}/photos{query}",
        data={"action": "upload", "photo": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def field_error(response, field_id: str) -> str:
    """The message shown next to a field, checked against the error summary's link to that field."""
    soup = page(response)
    group = soup.find(id=field_id).find_parent(class_="govuk-form-group")
    assert "govuk-form-group--error" in group["class"], field_id
    message = text(group.find(class_="govuk-error-message")).removeprefix("Error: ")
    links = soup.select(".govuk-error-summary__list a")
    assert [text(link) for link in links if link["href"] == f"#{field_id}"] == [message]
    return message


def shown_values(response) -> dict:
    """What the re-rendered form holds: text boxes' values, the chosen radio, date boxes as a list."""
    values: dict = {}
    form = page(response).find("main").find("form")
    for box in form.find_all("input", type=["text", "email", "tel"]):
        values.setdefault(box["name"], []).append(box.get("value", ""))
    for radio in form.find_all("input", type="radio", checked=True):
        values[radio["name"]] = radio["value"]
    for area in form.find_all("textarea"):
        values[area["name"]] = area.get_text().removeprefix("\n")
    return {
        name: value[0] if isinstance(value, list) and len(value) == 1 else value
        for name, value in values.items()
    }
