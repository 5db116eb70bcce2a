import datetime

import factory
from django.contrib.auth import get_user_model

from directory.models import Household, Level, Unit, UnitKind


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-Thidua-2026")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    level = Level.HAMLET
    kind = UnitKind.AP
    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"Ấp {n}")
    valid_from = datetime.date(2019, 7, 1)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    code = factory.Sequence(lambda n: f"HH{n:06d}")
    head_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    address = "Tổ 1"
    members = 4
    phone = "0912345678"


def pdf_bytes():
    """A real one-page PDF: uploads are opened, not only sniffed."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt="PNG", exif=None, size=(8, 6)):
    """A real image; `exif` (a PIL.Image.Exif) is written into it when given."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt, **({"exif": exif} if exif is not None else {}))
    return out.getvalue()
