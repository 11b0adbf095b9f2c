import io

import pytest
from PIL import Image

from crm_bridge.photos import MAX_BYTES, PhotoError, photo_path, reencode, store_photo


def picture(fmt="JPEG", size=(40, 30), exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 10, 10))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 30.0, 0.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"  # camera make
    return exif.tobytes()


def test_photo_is_reencoded_as_jpeg_without_metadata():
    original = picture(exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif()
    clean = Image.open(io.BytesIO(reencode(original)))
    assert clean.format == "JPEG"
    assert not clean.getexif()
    assert clean.size == (40, 30)


def test_png_is_accepted_and_becomes_jpeg():
    assert Image.open(io.BytesIO(reencode(picture("PNG")))).format == "JPEG"


def test_large_photo_is_scaled_down():
    clean = Image.open(io.BytesIO(reencode(picture(size=(4000, 1000)))))
    assert max(clean.size) == 2000


@pytest.mark.parametrize(
    "data",
    [b"just some text, named photo.jpg", b"<html><script>alert(1)</script></html>", b"", b"\x89PNG\r\n"],
)
def test_files_that_are_not_pictures_are_refused(data):
    with pytest.raises(PhotoError, match="must be a JPG, PNG, WEBP or GIF"):
        reencode(data)


def test_oversized_file_is_refused_before_decoding():
    with pytest.raises(PhotoError, match="smaller than 10MB"):
        reencode(b"\xff" * (MAX_BYTES + 1))


def test_stored_photo_has_a_random_name_and_can_only_be_found_by_it(tmp_path):
    stored = store_photo(picture(), tmp_path)
    assert photo_path(tmp_path, stored.stored_name) == tmp_path / stored.stored_name
    assert photo_path(tmp_path, "../../etc/passwd") is None
    assert photo_path(tmp_path, "0" * 32 + ".jpg") is None
