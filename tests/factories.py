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
