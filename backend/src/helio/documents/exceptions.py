"""Errors of /documents."""

from __future__ import annotations

from helio.errors import PayloadTooLarge, ServiceUnavailable, UnsupportedMediaType, ValidationFailed


class EmptyFile(ValidationFailed):
    code, message = "file_empty", "The file is empty."


class FileTooLarge(PayloadTooLarge):
    code, message = "file_too_large", "The file is larger than 10 MB."


class UnsupportedDocument(UnsupportedMediaType):
    code = "unsupported_document"
    message = "Send a JPEG, PNG or HEIC photo or a PDF bill."


class DocumentMalformed(ValidationFailed):
    code = "document_malformed"
    message = "The file is damaged or is not the type its content starts as."


class DocumentPolyglot(ValidationFailed):
    code = "document_polyglot"
    message = "The file carries data of another type (for example an archive); it is refused."


class ImageTooLarge(ValidationFailed):
    code = "image_too_large"
    message = "The photo has more than 25 megapixels; send a smaller one."


class PdfActiveContent(ValidationFailed):
    code = "pdf_active_content"
    message = "PDFs with scripts, actions, embedded files or encryption are refused."


class DocumentInfected(ValidationFailed):
    code = "document_infected"
    message = "The file was flagged by the virus scanner and was not kept."


class ScannerDown(ServiceUnavailable):
    code = "scanner_unavailable"
    message = "Files cannot be checked for viruses right now; try again later."
