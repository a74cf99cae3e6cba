from django.contrib import admin

from zhengdun.core.admin import AuditedAdmin, ReadOnlyAdmin
from zhengdun.org.models import Grant, Person, Unit


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "sector", "depth", "is_active"]
    list_filter = ["kind", "sector", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["police_number", "name", "unit", "position", "status"]
    list_filter = ["status"]
    search_fields = ["police_number", "name"]
    list_select_related = ["unit"]


@admin.register(Grant)
class GrantAdmin(AuditedAdmin):
    list_display = ["user", "role", "unit", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name", "unit__code"]
    autocomplete_fields = ["unit"]
    list_select_related = ["user", "unit"]
