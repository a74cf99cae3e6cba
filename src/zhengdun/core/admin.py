"""Back-office editing that still leaves an audit trail."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record

admin.site.site_header = _("Zhengdun back office")
admin.site.site_title = _("Zhengdun back office")
admin.site.index_title = _("Back-office data")


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record(
            actor=request.user,
            code=Code.ADMIN_SAVED,
            obj=obj,
            unit=getattr(obj, "unit_id", None),
            changes={
                "created": not change,
                "fields": {name: form.cleaned_data.get(name) for name in form.changed_data},
            },
        )

    def delete_model(self, request, obj):
        record(
            actor=request.user, code=Code.ADMIN_DELETED, obj=obj, unit=getattr(obj, "unit_id", None)
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown in the back office, changed only through the application's own pages."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
