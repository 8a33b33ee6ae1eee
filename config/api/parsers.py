"""The API's JSON parser: DRF's, refusing nesting deeper than ``MAX_DEPTH`` with a 400.

``[`` × 3000 made ``json`` recurse past Python's limit (an HTML 500); a body nested a few
hundred deep still parses but would do the same in whatever walks it next. No request of
ours nests deeper than a few levels.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON 嵌套过深（最多 %(n)d 层）。") % {"n": MAX_DEPTH}) from None
        if depth(data) > MAX_DEPTH:
            raise ParseError(_("JSON 嵌套过深（最多 %(n)d 层）。") % {"n": MAX_DEPTH})
        return data


def depth(value) -> int:
    """How deeply lists and objects nest in ``value`` (iteratively: no recursion limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if level <= MAX_DEPTH:
            stack.extend((child, level + 1) for child in children)
    return deepest
