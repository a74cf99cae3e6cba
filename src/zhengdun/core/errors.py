from django.core.exceptions import ValidationError


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {field: [messages]}; non-field messages under "__all__"."""
    if hasattr(error, "error_dict"):
        return {
            name: [str(m) for e in errors for m in e.messages]
            for name, errors in error.error_dict.items()
        }
    return {"__all__": [str(m) for m in error.messages]}
