"""Photos: re-encoded without their metadata, kept out of the static files, shown only to the resident who
added them, removable, and anything that is not a photo of a sensible size refused by the field."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from crm_bridge.models import Attachment

from ..helpers import assert_well_formed, count, page, text
from .journeys import JOURNEYS, field_error, picture, the_draft, upload, walk

GPS = 0x8825
MB = 1024 * 1024


@pytest.fixture
def on_photos_page(client):
    walk(client, "fly-tipping", until="photos")
    return client


def uploads(app) -> Path:
    return Path(app.config.get("UPLOAD_FOLDER") or Path(app.instance_path) / "uploads")


def stored_files(app) -> list[str]:
    folder = uploads(app)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def photo_links(client) -> list[str]:
    return [img["src"] for img in page(client.get("/report/fly-tipping/photos")).main.find_all("img")]


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_photo_is_stored_re_encoded_without_its_metadata(app, on_photos_page, kind):
    original = picture(kind, size=(120, 90))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS)  # the camera said where it was

    response = upload(on_photos_page, "fly-tipping", original, filename=f"IMG_0001.{kind.lower()}")

    assert response.location == "/report/fly-tipping/photos"
    [photo] = the_draft().photos
    assert stored_files(app) == [photo["stored_name"]]
    stored = uploads(app) / photo["stored_name"]
    assert stored.stat().st_size == photo["size"]
    with Image.open(stored) as clean:
        assert (clean.format, clean.size) == ("JPEG", (120, 90))
        assert "exif" not in clean.info
        assert dict(clean.getexif()) == {}
    assert b"Acme Phones" not in stored.read_bytes()
    assert "IMG_0001" not in photo["stored_name"]
    static = Path(app.static_folder).resolve()
    assert static not in stored.resolve().parents
    assert on_photos_page.get(f"/static/{photo['stored_name']}").status_code == 404


def test_photo_is_shown_only_to_the_resident_who_added_it(app, on_photos_page):
    upload(on_photos_page, "fly-tipping", picture())
    [link] = photo_links(on_photos_page)
    [name] = stored_files(app)

    mine = on_photos_page.get(link)

    assert (mine.status_code, mine.mimetype) == (200, "image/jpeg")
    assert mine.data == (uploads(app) / name).read_bytes()
    assert app.test_client().get(link).status_code == 404
    for made_up in ("0" * 32 + ".jpg", "..%2Fsecret_key", name.replace(".jpg", ".png")):
        assert on_photos_page.get(f"/report/fly-tipping/photos/{made_up}").status_code == 404
    assert on_photos_page.get(f"/report/missed-bin/photos/{name}").status_code == 404  # another form


def test_a_photo_can_be_removed(app, on_photos_page):
    upload(on_photos_page, "fly-tipping", picture())
    upload(on_photos_page, "fly-tipping", picture("PNG"))
    first, second = the_draft().photos
    [link, _] = photo_links(on_photos_page)

    response = on_photos_page.post("/report/fly-tipping/photos/remove", data={"name": first["stored_name"]})

    assert response.location == "/report/fly-tipping/photos"
    assert the_draft().photos == [second]
    assert stored_files(app) == [second["stored_name"]]  # not kept on disk either
    assert on_photos_page.get(link).status_code == 404
    assert len(photo_links(on_photos_page)) == 1


NOT_PHOTOS = {
    "text named .jpg": (
        b"Just some words, honestly a photo.",
        "photo.jpg",
        "The selected file must be a JPG, PNG, WEBP or GIF",
    ),
    "HTML": (
        b"<html><script>alert(1)</script></html>",
        "page.html",
        "The selected file must be a JPG, PNG, WEBP or GIF",
    ),
    "cut-off PNG": (
        b"\x89PNG\r\n\x1a\n\x00\x00",
        "photo.png",
        "The selected file must be a JPG, PNG, WEBP or GIF",
    ),
    "empty": (b"", "photo.jpg", "The selected file is empty"),
    "11MB": (b"\xff" * (11 * MB), "huge.jpg", "The selected file must be smaller than 10MB"),
}


@pytest.mark.parametrize(("data", "filename", "message"), NOT_PHOTOS.values(), ids=NOT_PHOTOS.keys())
def test_a_file_that_is_not_a_photo_is_refused_by_the_field(app, on_photos_page, data, filename, message):
    upload(on_photos_page, "fly-tipping", picture())
    before = the_draft().photos

    response = upload(on_photos_page, "fly-tipping", data, filename=filename)

    assert response.status_code == 422
    assert field_error(response, "photo") == message
    assert assert_well_formed(response, 422) == "Add photos"
    assert page(response).find("input", type="file", id="photo")
    assert len(page(response).main.find_all("img")) == 1  # the photo added before is still there
    assert the_draft().photos == before
    assert stored_files(app) == [before[0]["stored_name"]]


@pytest.mark.parametrize("size", [13 * MB, 50 * MB], ids=["13MB", "50MB"])
def test_a_file_over_the_upload_limit_is_refused_by_the_field(app, on_photos_page, size):
    response = upload(on_photos_page, "fly-tipping", b"\xff" * size, filename="huge.jpg")

    assert response.status_code == 413
    assert field_error(response, "photo") == "The selected file must be smaller than 10MB"
    assert assert_well_formed(response, 413) == "Add photos"
    assert page(response).find("input", type="file", id="photo")
    assert the_draft().photos == []
    assert stored_files(app) == []
    assert on_photos_page.get("/report/fly-tipping/photos").status_code == 200


def test_upload_without_a_file_asks_for_one(on_photos_page):
    response = on_photos_page.post(
        "/report/fly-tipping/photos", data={"action": "upload"}, content_type="multipart/form-data"
    )

    assert response.status_code == 422
    assert field_error(response, "photo") == "Select a photo to upload"


def test_no_more_than_three_photos(app, on_photos_page):
    for _ in range(3):
        assert upload(on_photos_page, "fly-tipping", picture()).status_code == 302

    shown = page(on_photos_page.get("/report/fly-tipping/photos"))
    fourth = upload(on_photos_page, "fly-tipping", picture())

    assert shown.find("input", type="file") is None
    assert len(shown.main.find_all("img")) == 3
    assert fourth.status_code == 422
    assert field_error(fourth, "photo") == "You can add up to 3 photos"
    assert len(the_draft().photos) == 3
    assert len(stored_files(app)) == 3


def test_photos_are_optional(on_photos_page):
    response = on_photos_page.post("/report/fly-tipping/photos", data={})

    assert response.location == "/report/fly-tipping/your-details"


def test_changing_photos_from_check_answers_returns_there(on_photos_page):
    on_photos_page.post("/report/fly-tipping/photos", data={})
    on_photos_page.post("/report/fly-tipping/your-details", data=JOURNEYS["fly-tipping"]["your-details"])
    [link] = [
        a["href"]
        for a in page(on_photos_page.get("/report/fly-tipping/check-answers")).select(
            ".govuk-summary-list__actions a"
        )
        if "/photos" in a["href"]
    ]

    added = upload(on_photos_page, "fly-tipping", picture(), query="?return=check")
    name = the_draft().photos[0]["stored_name"]
    removed = on_photos_page.post("/report/fly-tipping/photos/remove", data={"name": name, "return": "check"})
    done = on_photos_page.post(link, data={"return": "check"})

    assert link == "/report/fly-tipping/photos?return=check"
    assert added.location == removed.location == link
    assert done.location == "/report/fly-tipping/check-answers"
    assert "Photos 0" in text(page(on_photos_page.get(done.location)).main)
    assert count(Attachment) == 0


def test_an_oversized_post_to_a_page_without_photos_is_explained(client):
    client.post("/report/missed-bin")
    response = client.post("/report/missed-bin/questions", data={"details": "x" * (13 * 1024 * 1024)})
    assert response.status_code == 413
    assert "What you sent was too large" in response.get_data(as_text=True)
