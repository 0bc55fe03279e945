"""`minsheng posters`: print the QR posters of a township, or of one village, to PDF files."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from minsheng.directory.models import Area, AreaKind
from minsheng.intake.models import POSTER_AREA_KINDS
from minsheng.intake.posters import POSTER_LANGUAGES, render_posters, township_villages

_UNSAFE_IN_FILENAME = re.compile(r"[^\w-]")


class Command(BaseCommand):
    help = (
        "Write A4 QR posters as PDF: with --township, one file per village or community "
        "plus one file with all of them; with --area, the poster of one village."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--township", metavar="CODE", help="area code of a township")
        which.add_argument("--area", metavar="CODE", help="area code of a village or community")
        parser.add_argument(
            "-o", "--output", metavar="DIR", default=".", help="directory to write to (default .)"
        )
        parser.add_argument(
            "--lang",
            choices=POSTER_LANGUAGES,
            default="zh-hans",
            help="poster language: zh-hans (default), en or ug (Uyghur)",
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        out = Path(options["output"])
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"cannot create {out}: {exc.strerror}") from exc
        language = options["lang"]
        if options["area"]:
            area = Area.objects.filter(code=options["area"], kind__in=POSTER_AREA_KINDS).first()
            if area is None:
                raise CommandError(f"no village or community with the code {options['area']!r}")
            self._write(out / _filename(area), render_posters([area], language=language))
            return
        township = Area.objects.filter(code=options["township"], kind=AreaKind.TOWNSHIP).first()
        if township is None:
            raise CommandError(f"no township with the code {options['township']!r}")
        villages = township_villages(township)
        if not villages:
            raise CommandError(f"{township.name} has no villages or communities")
        for area in villages:
            self._write(out / _filename(area), render_posters([area], language=language))
        combined = out / f"{_safe(township.code)}-all.pdf"
        self._write(combined, render_posters(villages, language=language))
        self.stdout.write(
            self.style.SUCCESS(f"{len(villages)} posters for {township.name}; all in {combined}")
        )

    def _write(self, path: Path, pdf: bytes) -> None:
        path.write_bytes(pdf)
        self.stdout.write(str(path))


def _filename(area: Area) -> str:
    return f"{_safe(area.code)}-{_safe(area.name)}.pdf"


def _safe(text: str) -> str:
    return _UNSAFE_IN_FILENAME.sub("_", text)
