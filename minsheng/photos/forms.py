"""The photo input shared by the resident's report form and the staff's note and
resolution forms. It only collects the files: ``images.prepare_photos`` judges them and the
action refuses, so every door gives the same answer."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy

from minsheng.photos.images import MAX_BYTES, MAX_PHOTOS


def _with_limits(message: object) -> str:
    return str(message) % {"max": MAX_PHOTOS, "mb": MAX_BYTES // (1024 * 1024)}


# A help text naming the limits, translated when shown (not when the form class is made):
# ``with_limits(gettext_lazy("Up to %(max)d photos, %(mb)d MB each."))``.
with_limits = lazy(_with_limits, str)


class PhotoInput(forms.FileInput):
    allow_multiple_selected = True

    def __init__(self, attrs: dict | None = None) -> None:
        # image/* lets a phone offer its camera as well as its gallery (and makes iPhones
        # send JPEG rather than HEIC).
        super().__init__({"accept": "image/*", "multiple": True, **(attrs or {})})


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS pictures; the cleaned value is the list of uploaded files."""

    widget = PhotoInput

    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs["data-max-photos"] = MAX_PHOTOS

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if f]
