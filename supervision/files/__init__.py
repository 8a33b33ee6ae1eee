"""Evidence (佐证材料) and official documents (督办通知书, 催办通知书, 督查通报).

- ``targets``: the registry of what a file attaches to (who writes, who reads, frozen or not);
- ``sniff``: the type of an upload from its content; ``images``: EXIF and thumbnails;
- ``services``: upload, bind, supersede, delete; ``selectors``: visibility;
- ``delivery``: downloads (stream, X-Accel-Redirect or a signed URL);
- ``documents``: numbering, content, DOCX and PDF rendering, the printable 督办单.
"""
