"""Crews' photos (issue 12 item 7): JPEG or PNG, at most 10 MB, the type read from the bytes
themselves (the file name and the browser's MIME type are not trusted), stored under
`HOTLINE_PHOTO_DIR` with a thumbnail, served only to users who may see the order.

Every photo is decoded and written again by Pillow before it is stored: what the console
serves is then a plain image whatever the upload carried (a file that is also HTML or a
script is not kept), turned the way the phone held it, and without its metadata. Dropping
the EXIF block drops the phone's GPS position, the device's serial numbers and the time the
phone believed: the crew's position is recorded once, with consent, when it reports on site
(`services.location`), and a photo taken at home by mistake must not publish where a crew
member lives to everyone who reads the order."""

from __future__ import annotations

import os
import secrets
import warnings
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.errors import Forbidden, NotFound, ValidationFailed
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.models import OrderPhoto, WorkOrder
from workorders.services.common import can_view, record

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50-megapixel phone camera; larger is refused (decompression bomb)
THUMB_EDGE = 320
# The first bytes of each accepted format, and what the stored file is.
SIGNATURES = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}
TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}


@dataclass(frozen=True)
class PhotoStore:
    """Where photos live on disk: <root>/<key[:2]>/<key>.jpg|png and <key>.thumb.jpg."""

    root: Path

    def path(self, key: str, ext: str) -> Path:
        return self.root / key[:2] / f"{key}.{ext}"

    def write(self, key: str, ext: str, data: bytes) -> None:
        target = self.path(key, ext)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        partial.write_bytes(data)
        os.replace(partial, target)  # a reader never sees half a file


def read_limited(stream, limit: int = MAX_BYTES) -> bytes:
    """The upload's bytes, or a refusal naming the limit when there are more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(_("The photo is larger than %(mb)s MB.", mb=limit // 2**20),
                               fields={"photo": "too large"})
    if not data:
        raise ValidationFailed(_("Choose a photo to upload."), fields={"photo": "required"})
    return data


def decode(data: bytes) -> Image.Image:
    """The image in `data` if it is a JPEG or PNG by its content, else a refusal."""
    kind = next((k for sig, k in SIGNATURES.items() if data.startswith(sig)), None)
    not_a_photo = ValidationFailed(_("Only JPEG or PNG photos can be uploaded."),
                                   fields={"photo": "not a JPEG or PNG image"})
    if kind is None:
        raise not_a_photo
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=[kind])
            if image.width * image.height > MAX_PIXELS:
                raise ValidationFailed(_("The photo has too many pixels."),
                                       fields={"photo": "too many pixels"})
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise not_a_photo from None
    return image


def _encoded(image: Image.Image, kind: str) -> bytes:
    """The image written again, without metadata (see the module's note)."""
    out = BytesIO()
    if kind == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    thumb = image.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE))
    if thumb.mode not in ("RGB", "L"):  # transparency on white, as the page shows it
        rgba = thumb.convert("RGBA")
        thumb = Image.new("RGB", rgba.size, "white")
        thumb.paste(rgba, mask=rgba.getchannel("A"))
    out = BytesIO()
    thumb.save(out, "JPEG", quality=80)
    return out.getvalue()


def add_photo(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
              ctx: SlaContext) -> None:
    """Action handler (`actions.perform`): params["photo"] holds the upload's bytes and
    params["store"] the `PhotoStore`."""
    data: bytes = params["photo"]
    if len(data) > MAX_BYTES:
        raise ValidationFailed(_("The photo is larger than %(mb)s MB.", mb=MAX_BYTES // 2**20),
                               fields={"photo": "too large"})
    image = decode(data)
    kind = image.format or "JPEG"
    image = ImageOps.exif_transpose(image)  # as the phone was held, before EXIF goes
    content_type, ext = TYPES[kind]
    stored = _encoded(image, kind)
    key = secrets.token_hex(16)
    store: PhotoStore = params["store"]
    store.write(key, ext, stored)
    store.write(key, "thumb.jpg", _thumbnail(image))
    photo = OrderPhoto(key=key, order_id=order.id, uploaded_at=now, uploaded_by_id=user.id,
                       content_type=content_type, size=len(stored), width=image.width,
                       height=image.height)
    session.add(photo)
    record(session, order, "add_photo", now=now, actor=user, from_status=order.status,
           to_status=order.status, note=(params.get("text") or "").strip(),
           payload={"photo": key, "width": image.width, "height": image.height})


def photos_of(session: Session, order_id: int) -> list[OrderPhoto]:
    return list(session.scalars(select(OrderPhoto).where(OrderPhoto.order_id == order_id)
                                .order_by(OrderPhoto.id)))


def photo_file(session: Session, user: User, key: str, store: PhotoStore, *,
               thumb: bool) -> tuple[Path, str]:
    """The file to send and its type: NotFound for an unknown key, Forbidden when `user`
    may not see the order (department staff: another department's order)."""
    photo = session.scalar(select(OrderPhoto).where(OrderPhoto.key == key))
    if photo is None:
        raise NotFound(_("No such photo."))
    if not can_view(session, user, session.get(WorkOrder, photo.order_id)):
        raise Forbidden(_("You may not see this order's photos."))
    if thumb:
        return store.path(key, "thumb.jpg"), "image/jpeg"
    ext = next(e for t, e in TYPES.values() if t == photo.content_type)
    return store.path(key, ext), photo.content_type
