"""Read a stored response as one JSON object, or say in the source's own words why it is not one."""

from __future__ import annotations

import orjson


def json_object(content: bytes, where: str, error: type[Exception]) -> dict:
    """The JSON object in `content`; `error` names `where` for a truncated, garbled or non-object body."""
    try:
        document = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise error(f"{where} is not JSON ({exc}); a truncated download or an error page") from None
    if not isinstance(document, dict):
        raise error(f"{where} is JSON but not an object (a {type(document).__name__})")
    return document
