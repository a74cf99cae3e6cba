from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhengdun.audit.codes import Code

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One audited write. Append-only: each event carries the hash of the one before it.

    ``seq`` is assigned from the chain head under a lock, so the chain has no gaps; a row
    changed, deleted or inserted behind the application's back breaks ``zhengdun audit verify``.
    """

    seq = models.BigIntegerField(_("number"), primary_key=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    # No database constraint: users and units are never deleted, and the log must outlive them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    actor_label = models.CharField(_("user name"), max_length=150, blank=True)
    code = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.code} {self.object_repr}"

    @property
    def label(self) -> str:
        try:
            return Code(self.code).label
        except ValueError:
            return self.code


class AuditHead(models.Model):
    """The chain's head: the last event's number and hash. Locked while appending."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(_("last number"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"
