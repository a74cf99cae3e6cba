import factory
from django.contrib.auth import get_user_model

from zhengdun.org.models import PATH_STEP, Grant, Person, Unit, UnitKind, encode_step


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")


class UnitFactory(factory.django.DjangoModelFactory):
    """Units placed in the tree directly (fast); the actions are tested on their own."""

    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = UnitKind.STATION
    parent = None

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        siblings = model_class.objects.filter(parent=parent).count()
        prefix = parent.path if parent else ""
        path = prefix + encode_step(siblings + 1)
        while model_class.objects.filter(path=path).exists():
            siblings += 1
            path = prefix + encode_step(siblings + 1)
        return model_class.objects.create(
            parent=parent, path=path, depth=len(path) // PATH_STEP, **kwargs
        )


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"民警{n}")
    police_number = factory.Sequence(lambda n: f"{900000 + n}")
    unit = factory.SubFactory(UnitFactory)


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = "officer"
