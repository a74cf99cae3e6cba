from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengdun.org.roles import Role

# Materialized path: each level adds a fixed-width base-36 step, so a subtree is a prefix range
# on one indexed column. 4 characters give 1.6 million children per parent.
PATH_STEP = 4
PATH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PATH_MAX_DEPTH = 12


def encode_step(number: int) -> str:
    digits = []
    for _position in range(PATH_STEP):
        number, rest = divmod(number, len(PATH_ALPHABET))
        digits.append(PATH_ALPHABET[rest])
    if number:
        raise ValueError("path step overflow")
    return "".join(reversed(digits))


def decode_step(step: str) -> int:
    value = 0
    for char in step:
        value = value * len(PATH_ALPHABET) + PATH_ALPHABET.index(char)
    return value


def ancestor_paths(path: str) -> list[str]:
    """Paths of the node itself and each ancestor, root first."""
    return [path[:end] for end in range(PATH_STEP, len(path) + 1, PATH_STEP)]


class UnitKind(models.TextChoices):
    CITY_BUREAU = "city_bureau", _("City bureau")
    DEPARTMENT = "department", _("Department")
    COUNTY_BUREAU = "county_bureau", _("County/district bureau")
    STATION = "station", _("Station")
    TEAM = "team", _("Team")


class Sector(models.TextChoices):
    # The four sectors of the 大部门 reform (勤务革命).
    NONE = "", _("None")
    DECISION = "decision", _("Decision")
    EXECUTION = "execution", _("Execution")
    OVERSIGHT = "oversight", _("Oversight")
    SUPPORT = "support", _("Support")


class Unit(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=PATH_STEP * PATH_MAX_DEPTH, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    sort_order = models.IntegerField(_("order"), default=0)
    is_active = models.BooleanField(pgettext_lazy("unit", "in use"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [models.Index(fields=["parent", "sort_order", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def is_descendant_of(self, other: "Unit") -> bool:
        return self.path.startswith(other.path) and self.path != other.path


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED_FROM_POST = "retired_from_post", _("Retired from post")
    LEFT = "left", _("Left")


class Person(models.Model):
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    police_number = models.CharField(_("police number"), max_length=20, unique=True)
    # Indexed by the (unit, status, name) index below, which serves unit lookups too.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="people",
        db_index=False,
    )
    position = models.CharField(_("position"), max_length=60, blank=True)
    rank = models.CharField(_("rank"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["unit", "status", "name"]),
            models.Index(fields=["name"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.police_number})"


class Grant(models.Model):
    """A role held by a user on a unit; it covers the unit's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="grants",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="grants"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="grant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"
