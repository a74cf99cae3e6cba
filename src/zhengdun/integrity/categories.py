"""What a report or a clue is about: one list for the public portal and the back office."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    POLITICAL = "political", _("Political discipline")
    ORGANISATIONAL = "organisational", _("Organisational discipline")
    INTEGRITY = "integrity", _("Integrity: bribes, gifts, abuse of position")
    MASSES = "masses", _("Conduct towards the public")
    WORK = "work", _("Work discipline: neglect, inaction")
    PRIVATE = "private", _("Private conduct")
    LAW_ENFORCEMENT = "law", _("Unfair or illegal law enforcement")
    PROTECTION = "protection", _("Protecting criminal gangs")
    OTHER = "other", _("Other")
