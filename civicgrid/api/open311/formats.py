"""Rendering of Open311 answers as JSON or XML, and the spec's error lists.

Both formats are built from the same plain data: a list of dicts (or one dict for discovery
and service definitions). XML element names follow the spec: ``<services><service>``,
``<service_requests><request>``, ``<errors><error>``; lists inside an element are wrapped by
the singular form (``<formats><format>``, ``<attributes><attribute>``).
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")

# Wrapper element → item element for lists nested inside an item.
ITEM_NAMES = {
    "formats": "format",
    "endpoints": "endpoint",
    "attributes": "attribute",
    "values": "value",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ElementTree.SubElement(element, key), child)
    elif isinstance(value, list):
        item_name = ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(ElementTree.SubElement(element, item_name), child)
    else:
        element.text = _text(value)


def to_xml(root: str, item: str | None, data: Any) -> bytes:
    """``data`` (a list of dicts under ``<root><item>``, or a dict under ``<root>``) as UTF-8
    XML with the declaration the spec asks for."""
    element = ElementTree.Element(root)
    if item is None:
        _fill(element, data)
    else:
        for entry in data:
            _fill(ElementTree.SubElement(element, item), entry)
    body = ElementTree.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()


def render(data: Any, fmt: str, root: str, item: str | None, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False).encode()
        return HttpResponse(body, content_type=JSON_TYPE, status=status)
    return HttpResponse(to_xml(root, item, data), content_type=XML_TYPE, status=status)


def error_response(status: int, description: Any, fmt: str = "xml") -> HttpResponse:
    """The spec's error answer: ``[{"code", "description"}]`` / ``<errors><error>``."""
    errors = [{"code": status, "description": str(description)}]
    return render(errors, fmt if fmt in FORMATS else "xml", "errors", "error", status=status)
