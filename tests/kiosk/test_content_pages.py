"""Resident pages on a kiosk: links off the kiosk shown as QR codes, no photos page, and a confirmation with
a large reference, a QR code of the tracking link and a receipt to print."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from crm_bridge.adapters.acknowledgement import tracking_url
from crm_bridge.models import Case, Contact
from kiosk.qr import qr_svg

from ..portal.eforms.journeys import JOURNEYS, send, walk
from ..portal.helpers import assert_well_formed, page, rows, text

BODY = (
    "Apply for a [Blue Badge on GOV.UK](https://www.gov.uk/apply-blue-badge).\n\n"
    "Read [our leaflet](/files/blue-badge-leaflet.pdf) or see [parking](/articles/parking-permits).\n\n"
    "Questions? [Email us](mailto:badges@council.example)."
)
PUBLIC_BASE_URL = "http://127.0.0.1:5000"  # the test app's PUBLIC_BASE_URL (the default)


def test_an_article_on_a_kiosk_shows_qr_codes_instead_of_links_that_leave(kiosk_client, create_article):
    create_article(slug="blue-badge", title="Blue Badge", body=BODY)
    response = kiosk_client.get("/articles/blue-badge")
    assert assert_well_formed(response, 200) == "Blue Badge"
    article = page(response).find("article")
    assert [a["href"] for a in article.find_all("a")] == ["/articles/parking-permits"]
    assert page(response).main.find("a", href=re.compile(r"^(https?:|mailto:|tel:|//)")) is None
    figures = article.find_all("figure", class_="app-kiosk-qr")
    assert [text(f.find(class_="app-kiosk-qr__address")) for f in figures] == [
        "https://www.gov.uk/apply-blue-badge",
        f"{PUBLIC_BASE_URL}/files/blue-badge-leaflet.pdf",  # a document counts as leaving, even on our site
    ]
    assert [f["aria-label"] for f in figures] == [
        "Scan to open on your phone: Blue Badge on GOV.UK",
        "Scan to open on your phone: our leaflet",
    ]
    assert all(f.find("svg") is not None for f in figures)
    assert "Email us (badges@council.example)" in text(article)


def test_the_same_article_on_the_web_keeps_its_links(client, create_article):
    create_article(slug="blue-badge", title="Blue Badge", body=BODY)
    article = page(client.get("/articles/blue-badge")).find("article")
    assert [a["href"] for a in article.find_all("a")] == [
        "https://www.gov.uk/apply-blue-badge",
        "/files/blue-badge-leaflet.pdf",
        "/articles/parking-permits",
        "mailto:badges@council.example",
    ]
    assert article.find("figure") is None


def test_contact_details_are_words_on_a_kiosk_and_links_on_the_web(kiosk_client, client, app):
    on_kiosk = kiosk_client.get("/contact")
    assert_well_formed(on_kiosk, 200)
    main = page(on_kiosk).main
    assert main.find("a", href=re.compile(r"^(mailto|tel):")) is None
    assert app.config["COUNCIL_EMAIL"] in text(main) and app.config["COUNCIL_PHONE"] in text(main)
    on_web = page(client.get("/contact")).main
    assert on_web.find("a", href=f"mailto:{app.config['COUNCIL_EMAIL']}") is not None


def test_a_kiosk_has_no_photos_page(kiosk_client):
    pages = {step: data for step, data in JOURNEYS["fly-tipping"].items() if step != "photos"}
    walk(kiosk_client, "fly-tipping", pages)  # location leads straight to your details
    assert kiosk_client.get("/report/fly-tipping/photos").status_code == 404
    check = kiosk_client.get("/report/fly-tipping/check-answers")
    assert_well_formed(check, 200)
    keys = [text(key) for key in page(check).select(".govuk-summary-list__key")]
    assert "Photos" not in keys and "Where" in keys


def test_confirmation_on_a_kiosk_shows_the_reference_large_with_a_tracking_qr_code(kiosk_client):
    walk(kiosk_client, "missed-bin")
    response = send(kiosk_client, "missed-bin")
    assert assert_well_formed(response, 200) == "Your request has been sent"
    [case] = rows(Case)
    assert case.channel == "kiosk"
    soup = page(response)
    receipt = soup.find(id="receipt")
    assert text(receipt.find(class_="app-kiosk-reference")) == case.reference
    track = tracking_url(PUBLIC_BASE_URL, case.tracking_token)
    assert text(receipt.find(id="tracking-address")) == track
    svg = receipt.find("figure", class_="app-kiosk-qr").find("svg")
    expected = BeautifulSoup(qr_svg(track, "QR code of the address to track your request"), "html.parser").svg
    assert str(svg) == str(expected)  # the code is the tracking link's
    assert "Report a missed bin collection" in text(receipt)
    # nothing personal on what may be printed and left behind; no link to follow on the kiosk
    customer = case.customer
    for personal in (customer.name, customer.email, customer.phone):
        assert personal not in text(receipt)
    assert soup.main.find("a", href=re.compile("/track/")) is None
    assert f"email a confirmation to {customer.email}" in text(soup.main)  # on screen, outside the receipt
    # the print button is JavaScript's (hidden without it); the words beside it work without
    button = soup.find("button", attrs={"data-kiosk-print": True})
    assert text(button) == "Print a receipt" and button.has_attr("hidden")
    assert "Write down your reference number" in text(soup.find(attrs={"data-kiosk-print-fallback": True}))
    script = soup.find("script", src=re.compile("receipt.js"))
    served = kiosk_client.get(script["src"])
    assert served.status_code == 200 and b"window.print()" in served.data
    [contact] = rows(Contact)
    assert (contact.channel, contact.kiosk_id, contact.case_id) == ("kiosk", kiosk_client.kiosk.id, case.id)


def test_the_web_confirmation_has_no_kiosk_receipt(client):
    walk(client, "missed-bin")
    soup = page(send(client, "missed-bin"))
    assert soup.find(id="receipt") is None and soup.find("svg") is None
    assert soup.main.find("a", string="Track your request") is not None


def test_the_print_stylesheet_prints_the_receipt_alone(client):
    css = client.get("/static/build/portal.css").get_data(as_text=True)
    prints = [
        block
        for block in css.split("@media print")[1:]
        if ":has(.app-kiosk-receipt)" in block.split("@media")[0]
    ]
    assert prints, "no print rules for the kiosk's receipt"
    rules = prints[0]
    assert "body.app-kiosk:has(.app-kiosk-receipt) *" in rules and "visibility: hidden" in rules
    assert ".app-kiosk-no-print" in rules and "display: none" in rules
