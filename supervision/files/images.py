"""Photos as evidence: the EXIF time and GPS position (拍摄时间/地点) and a thumbnail (Pillow).

HEIC photos are accepted and kept, but Pillow cannot decode them without a plug-in, so they
get neither a thumbnail nor EXIF figures here.
"""

import datetime as dt
import io
import warnings
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

THUMBNAIL_SIZE = (320, 320)
MAX_PIXELS = 80_000_000  # a 20 MB JPEG from a phone is ~50 MP; more is a decompression bomb

_EXIF_IFD = ExifTags.IFD.Exif
_GPS_IFD = ExifTags.IFD.GPSInfo


@dataclass
class Photo:
    taken_at: dt.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    thumbnail: bytes | None


def _degrees(value, ref) -> Decimal | None:
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    if ref in ("S", "W", b"S", b"W"):
        degrees = -degrees
    return Decimal(f"{degrees:.6f}")


def _taken_at(exif_ifd: dict) -> dt.datetime | None:
    raw = exif_ifd.get(ExifTags.Base.DateTimeOriginal) or exif_ifd.get(
        ExifTags.Base.DateTimeDigitized
    )
    if not isinstance(raw, str):
        return None
    try:
        naive = dt.datetime.strptime(raw.strip("\x00 ").strip(), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007 (made aware below)
    except ValueError:
        return None
    offset = exif_ifd.get(ExifTags.Base.OffsetTimeOriginal)
    if isinstance(offset, str):
        try:
            return dt.datetime.fromisoformat(naive.isoformat() + offset.strip("\x00 "))
        except ValueError:
            pass
    # No offset recorded: a camera's clock is local time (Asia/Shanghai).
    return timezone.make_aware(naive, timezone.get_default_timezone())


def read_photo(fileobj, *, name: str) -> Photo:
    """EXIF time and place and a JPEG thumbnail of a JPEG or PNG; refuses a broken image."""
    fileobj.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(fileobj)
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    {"file": f"“{name}”的像素过多（{image.width}×{image.height}）。"}
                )
            exif = image.getexif()
            exif_ifd = exif.get_ifd(_EXIF_IFD)
            gps = exif.get_ifd(_GPS_IFD)
            image = ImageOps.exif_transpose(image)
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=80)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ValidationError(
            {"file": f"“{name}”不是可读取的图片（{type(exc).__name__}）。"}
        ) from exc
    finally:
        fileobj.seek(0)
    latitude = longitude = None
    if 2 in gps and 4 in gps:
        latitude = _degrees(gps[2], gps.get(1))
        longitude = _degrees(gps[4], gps.get(3))
        if latitude is not None and not (-90 <= latitude <= 90):
            latitude = None
        if longitude is not None and not (-180 <= longitude <= 180):
            longitude = None
        if latitude is None or longitude is None:
            latitude = longitude = None
    return Photo(_taken_at(exif_ifd), latitude, longitude, out.getvalue())
