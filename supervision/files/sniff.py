"""The type of an upload, read from its content (magic bytes), never from its name or the
client's Content-Type header.

An explicit allow-list of the formats DESIGN.md names, each recognised by its signature and,
for the ZIP-based ones (DOCX, XLSX, OFD), by the parts the format requires; everything else —
an executable, HTML, SVG, a script, a macro-enabled DOCM — is refused. A general-purpose
detector would name far more formats than we accept and still not tell a DOCX from an OFD
without opening the archive, so the few rules are kept here where they can be read.
"""

import struct
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    mime: str
    extension: str


KINDS = {
    kind.key: kind
    for kind in [
        Kind("pdf", "PDF", "application/pdf", ".pdf"),
        Kind("ofd", "OFD", "application/ofd", ".ofd"),
        Kind("jpeg", "JPEG", "image/jpeg", ".jpg"),
        Kind("png", "PNG", "image/png", ".png"),
        Kind("heic", "HEIC", "image/heic", ".heic"),
        Kind(
            "docx",
            "DOCX",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
        ),
        Kind(
            "xlsx",
            "XLSX",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
        ),
        Kind("mp4", "MP4", "video/mp4", ".mp4"),
    ]
}

HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1"}
MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V "}

# What a refused file looks like, so the message can say what it is.
_KNOWN_BAD = [
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "Linux 可执行程序"),
    (b"\xca\xfe\xba\xbe", "可执行程序"),
    (b"\xcf\xfa\xed\xfe", "可执行程序"),
    (b"#!", "脚本"),
    (b"<svg", "SVG 图形"),
    (b"<?xml", "XML/SVG"),
    (b"<!doctype", "HTML 网页"),
    (b"<html", "HTML 网页"),
    (b"<script", "HTML 网页"),
    (b"GIF8", "GIF 图片"),
    (b"PK\x03\x04", "ZIP 压缩包"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"\xd0\xcf\x11\xe0", "旧版 Office 文档（doc/xls）"),
]


def allowed_labels() -> str:
    return "、".join(KINDS[key].label for key in settings.FILES_ALLOWED_TYPES if key in KINDS)


def _refuse(name: str, what: str) -> ValidationError:
    return ValidationError(
        {"file": f"“{name}”的内容不是允许的文件类型（检测为：{what}）。允许：{allowed_labels()}。"}
    )


def _zip_kind(fileobj) -> str | None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "OFD.xml" in names:
        return "ofd"
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return "macro"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _boxes(fileobj, start: int, end: int):
    """ISO BMFF boxes (type, payload start, payload end) between ``start`` and ``end``."""
    offset = start
    while offset + 8 <= end:
        fileobj.seek(offset)
        header = fileobj.read(16)
        if len(header) < 8:
            return
        size, box = struct.unpack(">I4s", header[:8])
        payload = offset + 8
        if size == 1 and len(header) == 16:
            size = struct.unpack(">Q", header[8:16])[0]
            payload = offset + 16
        elif size == 0:
            size = end - offset
        if size < 8:
            return
        yield box, payload, min(offset + size, end)
        offset += size


def mp4_seconds(fileobj, length: int) -> float | None:
    """The movie's duration from ``moov/mvhd`` (None when it cannot be read)."""
    for box, start, end in _boxes(fileobj, 0, length):
        if box != b"moov":
            continue
        for inner, payload, _ in _boxes(fileobj, start, end):
            if inner != b"mvhd":
                continue
            fileobj.seek(payload)
            head = fileobj.read(32)
            if not head:
                return None
            if head[0] == 1:
                timescale, duration = struct.unpack(">IQ", head[20:32])
            else:
                timescale, duration = struct.unpack(">II", head[12:20])
            return duration / timescale if timescale else None
    return None


def sniff(fileobj, *, name: str, size: int) -> Kind:
    """The ``Kind`` of the file's content, or a ``ValidationError`` on ``file`` that says why."""
    fileobj.seek(0)
    head = fileobj.read(64)
    fileobj.seek(0)
    key = None
    if head.startswith(b"%PDF-"):
        key = "pdf"
    elif head.startswith(b"\xff\xd8\xff"):
        key = "jpeg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        key = "png"
    elif head[4:8] == b"ftyp":
        brand = head[8:12]
        key = "heic" if brand in HEIF_BRANDS else "mp4" if brand in MP4_BRANDS else None
    elif head.startswith(b"PK\x03\x04"):
        key = _zip_kind(fileobj)
        fileobj.seek(0)
        if key == "macro":
            raise _refuse(name, "含宏的 Office 文档")
    if key is None or key not in settings.FILES_ALLOWED_TYPES:
        lowered = head.lstrip().lower()
        what = next(
            (label for magic, label in _KNOWN_BAD if lowered.startswith(magic.lower())), None
        )
        raise _refuse(name, KINDS[key].label if key else what or "未知格式")
    if key == "mp4":
        seconds = mp4_seconds(fileobj, size)
        fileobj.seek(0)
        if seconds is None:
            raise _refuse(name, "无法读取时长的视频")
        if seconds > settings.FILES_MAX_VIDEO_SECONDS:
            raise ValidationError(
                {
                    "file": f"视频时长 {seconds:.0f} 秒，超过上限 {settings.FILES_MAX_VIDEO_SECONDS} 秒。"
                }
            )
    return KINDS[key]
