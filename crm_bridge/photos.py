"""Photos residents attach: checked by their content, re-encoded, metadata (GPS) stripped, stored privately.

Pure apart from writing the file: the caller passes the folder (outside the static files)."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
Image.MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb is refused, not decoded


class PhotoError(ValueError):
    """Why a file cannot be accepted: `reason` is 'too_big' or 'not_a_picture', the text is for logs."""

    def __init__(self, reason: str, text: str):
        super().__init__(text)
        self.reason = reason


@dataclass(frozen=True)
class ProcessedPhoto:
    stored_name: str
    content_type: str
    size: int


def reencode(data: bytes) -> bytes:
    """A clean JPEG of the picture: whatever the file said it was, only its pixels survive."""
    if len(data) > MAX_BYTES:
        raise PhotoError("too_big", "The selected file must be smaller than 10MB")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoError("not_a_picture", "The selected file must be a JPG, PNG, WEBP or GIF")
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise PhotoError("not_a_picture", "The selected file must be a JPG, PNG, WEBP or GIF") from error
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: no metadata kept
    return out.getvalue()


def store_photo(data: bytes, folder: Path) -> ProcessedPhoto:
    clean = reencode(data)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.jpg"
    (folder / name).write_bytes(clean)
    return ProcessedPhoto(stored_name=name, content_type="image/jpeg", size=len(clean))


def photo_path(folder: Path, stored_name: str) -> Path | None:
    """The stored file for a name we issued, never a path someone made up."""
    if len(stored_name) != 36 or not stored_name.endswith(".jpg") or not stored_name[:32].isalnum():
        return None
    path = folder / stored_name
    return path if path.is_file() else None
