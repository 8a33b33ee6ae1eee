"""JSON rendering with orjson: the bytes DRF's ``JSONRenderer`` writes, several times faster.

Same compact UTF-8 output and the same representations: datetimes, dates, times, decimals,
lazy strings and anything else orjson has no native form for go through DRF's own encoder
(``datetime`` included, so UTC stays ``…Z`` as DRF writes it); U+2028/U+2029 are escaped as
DRF does. A pretty-printing request (``Accept: application/json; indent=4``) or a value
orjson refuses (an integer beyond 64 bits) falls back to DRF's renderer.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_default = JSONEncoder().default


class OrjsonRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is None:
            try:
                body = orjson.dumps(data, default=_default, option=OPTIONS)
            except orjson.JSONEncodeError:
                pass
            else:
                return body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(
                    b"\xe2\x80\xa9", b"\\u2029"
                )
        return super().render(data, accepted_media_type, renderer_context)
