"""Attacks on the one untrusted-XML parser: every one is a 422, never a read, a fetch or a 500."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helio.errors import ValidationFailed
from helio.security.xml import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_ELEMENTS,
    MalformedXml,
    UnsafeXml,
    parse_untrusted_xml,
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 - shared by the server thread on purpose

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = b'<!ENTITY leak "fetched">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """Serve on loopback and record every request, to prove the parser fetches nothing."""
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _refused(data: bytes, kind: type[ValidationFailed], **limits: int) -> ValidationFailed:
    with pytest.raises(kind) as caught:
        parse_untrusted_xml(data, **limits)
    assert caught.value.status == 422
    return caught.value


def test_parses_a_plain_namespaced_document() -> None:
    root = parse_untrusted_xml(b'<a xmlns="urn:x"><b k="v">1</b><b>2</b></a>')
    assert root.tag == "{urn:x}a"
    assert [b.text for b in root] == ["1", "2"]


def test_parses_utf16_with_declaration() -> None:
    root = parse_untrusted_xml('<?xml version="1.0" encoding="UTF-16"?><a>é</a>'.encode("utf-16"))
    assert root.text == "é"


@pytest.mark.asvs("V1.5.1")
def test_billion_laughs_is_refused_without_expansion() -> None:
    started = time.perf_counter()
    error = _refused(BILLION_LAUGHS, UnsafeXml)
    assert error.code == "unsafe_xml"
    assert "DTD" in error.message
    assert time.perf_counter() - started < 1.0


@pytest.mark.asvs("V1.5.1")
def test_external_file_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    document = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]><r>&xxe;</r>'
    ).encode()
    error = _refused(document, UnsafeXml)
    assert "TOP-SECRET" not in error.message
    assert str(secret) not in error.message


@pytest.mark.asvs("V1.5.1")
@pytest.mark.parametrize(
    "template",
    [
        '<!DOCTYPE r [<!ENTITY xxe SYSTEM "{url}/entity">]><r>&xxe;</r>',
        '<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}/param.dtd"> %p;]><r/>',
        '<!DOCTYPE r SYSTEM "{url}/external.dtd"><r/>',
        '<!DOCTYPE r PUBLIC "-//X//Y" "{url}/public.dtd"><r>&leak;</r>',
    ],
    ids=["general-entity", "parameter-entity", "external-dtd", "public-dtd"],
)
def test_http_entities_and_dtds_are_never_fetched(
    listener: tuple[str, list[str]], template: str
) -> None:
    url, hits = listener
    error = _refused(template.format(url=url).encode(), UnsafeXml)
    assert url not in error.message
    assert hits == []


@pytest.mark.asvs("V1.5.1")
def test_any_dtd_is_refused_even_harmless() -> None:
    error = _refused(b"<!DOCTYPE note [<!ELEMENT note (#PCDATA)>]><note>hi</note>", UnsafeXml)
    assert "DTD" in error.message


@pytest.mark.asvs("V1.5.1")
def test_undeclared_entity_is_malformed_not_resolved() -> None:
    _refused(b"<r>&xxe;</r>", MalformedXml)


@pytest.mark.asvs("V5.2.1")
def test_oversize_is_refused_before_parsing() -> None:
    # Garbage after the first byte would be malformed: getting unsafe_xml proves size came first.
    document = b"<" + b"\x00" * DEFAULT_MAX_BYTES
    error = _refused(document, UnsafeXml)
    assert str(DEFAULT_MAX_BYTES) in error.message


@pytest.mark.asvs("V5.2.1")
def test_document_at_the_size_limit_is_accepted() -> None:
    filler = b"x" * (DEFAULT_MAX_BYTES - len(b"<a></a>"))
    root = parse_untrusted_xml(b"<a>" + filler + b"</a>")
    assert len(root.text or "") == len(filler)


@pytest.mark.asvs("V1.5.1", "V5.2.1")
def test_deep_nesting_is_stopped_during_parsing() -> None:
    depth = 100_000
    error = _refused(b"<a>" * depth + b"</a>" * depth, UnsafeXml)
    assert "nests deeper" in error.message


def test_nesting_at_the_depth_limit_is_accepted() -> None:
    depth = DEFAULT_MAX_DEPTH
    root = parse_untrusted_xml(b"<a>" * depth + b"</a>" * depth)
    assert root.tag == "a"


@pytest.mark.asvs("V5.2.1")
def test_too_many_elements_are_stopped_during_parsing() -> None:
    document = b"<a>" + b"<b/>" * (DEFAULT_MAX_ELEMENTS + 1) + b"</a>"
    assert len(document) < DEFAULT_MAX_BYTES
    error = _refused(document, UnsafeXml)
    assert "elements" in error.message


def test_limits_can_be_tightened_per_call() -> None:
    _refused(b"<a><b/><b/></a>", UnsafeXml, max_elements=2)
    _refused(b"<a><b/></a>", UnsafeXml, max_depth=1)
    _refused(b"<a/>" + b" " * 10, UnsafeXml, max_bytes=10)


@pytest.mark.asvs("V16.5.1")
@pytest.mark.parametrize(
    "document",
    [
        b"",
        b"   \n\t ",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        bytes(range(256)),
        b"<a><b></a>",
        b"<a>unterminated",
        b"<a/><b/>",
        b"<a>\xff\xfe not utf-8</a>",
        b'<?xml version="1.0" encoding="x-no-such-encoding"?><a/>',
        b"<<<>>>",
        b"just text SECRET-MARKER",
    ],
    ids=[
        "empty",
        "whitespace",
        "png",
        "all-bytes",
        "mismatched",
        "truncated",
        "two-roots",
        "bad-utf8",
        "unknown-encoding",
        "brackets",
        "text",
    ],
)
def test_garbage_is_malformed_without_echo(document: bytes) -> None:
    error = _refused(document, MalformedXml)
    assert error.code == "malformed_xml"
    assert "SECRET-MARKER" not in error.message


_FRAGMENTS = [
    *(b"<a>", b"</a>", b"<b/>", b"&x;", b"<!DOCTYPE a>", b"<!ENTITY x 'y'>", b"]>"),
    *(b"<?xml version='1.0'?>", b"text", b"<![CDATA[x]]>", b"<!-- c -->", b"\x00"),
]


@pytest.mark.asvs("V1.5.1", "V16.5.3")
@settings(max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=400),
        st.lists(st.sampled_from(_FRAGMENTS), max_size=30).map(b"".join),
    )
)
def test_any_bytes_give_a_tree_or_a_422(document: bytes) -> None:
    outcome: object
    try:
        outcome = parse_untrusted_xml(document)
    except ValidationFailed as error:
        outcome = error
    if isinstance(outcome, ValidationFailed):
        assert (outcome.status, outcome.code) in {(422, "unsafe_xml"), (422, "malformed_xml")}
