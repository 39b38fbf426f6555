"""Uploaded documents: PDF, PNG or JPEG only, judged by their content, never by their name.

A file is accepted when its first bytes are those of one of the allowed formats and it is no
larger than ``settings.DOCUMENT_MAX_BYTES``. It is stored under a generated name (see
``agreements.models.document_upload_to``) with the extension of the format found; the name the
user gave it, its type and its size are recorded. The same form serves the upload page and the
admin.
"""

from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from agreements.models import Document

# The content type each allowed format is recorded and served with, and its file extension.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
}
# filetype reads no more than this to recognise a format.
_HEAD_BYTES = 8192


def detect_document_type(upload):
    """The content type of an upload, read from its first bytes, or None if not allowed."""
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    kind = filetype.guess(head) if head else None
    if kind is None or kind.mime not in ALLOWED_TYPES:
        return None
    return kind.mime


def validate_document(upload):
    """Raise ValidationError unless the upload is an allowed format within the size limit;
    return its content type."""
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("This file is %(size)s: the largest file accepted is %(limit)s."),
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("This file is empty."), code="empty")
    content_type = detect_document_type(upload)
    if content_type is None:
        raise ValidationError(
            _(
                "This file is not a PDF, PNG or JPEG document (whatever its name says). "
                "Scan or save the document as PDF and upload that."
            ),
            code="not_allowed",
        )
    return content_type


@dataclass(frozen=True)
class Upload:
    """What is recorded of an uploaded file besides its content."""

    original_name: str
    content_type: str
    size: int


def describe_upload(upload):
    """Check an upload (``validate_document``) and name it for storing: the stored name is
    generated (see ``document_upload_to``), only its extension comes from here, and it is the
    one of the format found in the content. Returns what is recorded of it (``Upload``)."""
    content_type = validate_document(upload)
    described = Upload(
        original_name=PurePath(upload.name or "").name[:255],
        content_type=content_type,
        size=upload.size,
    )
    upload.name = f"document.{ALLOWED_TYPES[content_type]}"
    return described


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["title", "file", "is_public"]
        # No "currently: <link>": files are not served from MEDIA_URL, only through the
        # permission-checked download view.
        widgets = {"file": forms.FileInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, PNG or JPEG, at most %(limit)s.") % {
            "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES)
        }
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave blank to use the file's name.")
        self.fields["file"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg," + ",".join(
            ALLOWED_TYPES
        )
        self.upload = None

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            self.upload = describe_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("title") and self.upload:
            cleaned["title"] = PurePath(self.upload.original_name).stem[:200] or str(_("Document"))
        if not cleaned.get("title") and "title" not in self.errors and not self.instance.title:
            self.add_error("title", _("Give the document a title."))
        return cleaned

    def save(self, commit=True):
        document = super().save(commit=False)
        if self.upload:
            document.original_name = self.upload.original_name
            document.content_type = self.upload.content_type
            document.size = self.upload.size
        if commit:
            document.save()
        return document

    def cleaned_data_for_service(self):
        """The valid form as ``services.attach_document``'s arguments (but the agreement and
        the user)."""
        return {
            "title": self.cleaned_data["title"],
            "file": self.cleaned_data["file"],
            "is_public": self.cleaned_data["is_public"],
            "original_name": self.upload.original_name if self.upload else "",
        }
