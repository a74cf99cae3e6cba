from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from zhengdun.accounts.models import ApiToken
from zhengdun.core.admin import AuditedAdmin, ReadOnlyAdmin

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    def save_model(self, request, obj, form, change):
        # Never put password hashes into the audit log.
        form.changed_data[:] = [name for name in form.changed_data if "password" not in name]
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
