"""The one place that parses untrusted XML: defusedxml plus size, depth and element limits."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from helio.errors import ValidationFailed

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_ELEMENTS",
    "Element",
    "MalformedXml",
    "UnsafeXml",
    "parse_untrusted_xml",
]

DEFAULT_MAX_BYTES = 5_000_000
DEFAULT_MAX_DEPTH = 32
DEFAULT_MAX_ELEMENTS = 250_000
_CHUNK = 64 * 1024


class UnsafeXml(ValidationFailed):
    """The XML uses a feature we refuse (DTD, entities) or exceeds a resource limit."""

    code, message = "unsafe_xml", "The XML document uses a forbidden feature or is too large."


class MalformedXml(ValidationFailed):
    """The bytes are not a well-formed XML document."""

    code, message = "malformed_xml", "The XML document is not well-formed."


class _LimitedTreeBuilder:
    """A TreeBuilder target that stops the parse as soon as depth or element count overflow."""

    def __init__(self, max_depth: int, max_elements: int) -> None:
        self._builder = TreeBuilder()
        self._max_depth = max_depth
        self._max_elements = max_elements
        self._depth = 0
        self._elements = 0

    def start(self, tag: str, attrib: dict[str, str]) -> Element:
        self._depth += 1
        self._elements += 1
        if self._depth > self._max_depth:
            raise UnsafeXml(f"The XML document nests deeper than {self._max_depth} levels.")
        if self._elements > self._max_elements:
            raise UnsafeXml(f"The XML document has more than {self._max_elements} elements.")
        return self._builder.start(tag, attrib)

    def end(self, tag: str) -> Element:
        self._depth -= 1
        return self._builder.end(tag)

    def data(self, data: str) -> None:
        self._builder.data(data)

    def close(self) -> Element:
        return self._builder.close()


def _parse(data: bytes, max_depth: int, max_elements: int) -> Element:
    parser: Any = DefusedXMLParser(
        target=_LimitedTreeBuilder(max_depth, max_elements),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    for offset in range(0, len(data), _CHUNK):
        parser.feed(data[offset : offset + _CHUNK])
    root: Element = parser.close()
    return root


def parse_untrusted_xml(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> Element:
    """Parse XML from an untrusted source into an element tree, refusing anything risky.

    DTDs, entity declarations and external references are refused (no entity is ever expanded,
    no file or URL is ever read); size is checked before parsing, depth and element count while
    parsing, so an oversized document is never built in memory. Messages never echo the input.

    Args:
        data: the raw document bytes (any encoding XML can declare).
        max_bytes: largest accepted document.
        max_depth: deepest accepted element nesting (the root is depth 1).
        max_elements: most elements accepted in the whole document.

    Returns:
        The root element.

    Raises:
        UnsafeXml: a DTD, entity or external reference, or a size, depth or element limit hit.
        MalformedXml: empty input or bytes that are not well-formed XML.
    """
    if not isinstance(data, bytes | bytearray):
        raise TypeError("parse_untrusted_xml takes bytes")
    if len(data) > max_bytes:
        raise UnsafeXml(f"The XML document is larger than {max_bytes} bytes.")
    if not data.strip():
        raise MalformedXml("The XML document is empty.")
    try:
        return _parse(bytes(data), max_depth, max_elements)
    except DTDForbidden:
        raise UnsafeXml("The XML document declares a DTD, which is not accepted.") from None
    except EntitiesForbidden:
        raise UnsafeXml("The XML document declares entities, which are not accepted.") from None
    except ExternalReferenceForbidden:
        raise UnsafeXml("The XML document references external resources.") from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise MalformedXml(
            f"The XML document is not well-formed (line {line}, column {column})."
        ) from None
    except (ValueError, LookupError, UnicodeError):
        raise MalformedXml() from None
