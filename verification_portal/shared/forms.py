from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError, *, field: str | None = None) -> None:
    """Show a service's refusal on the form: beside the field it names, else on ``field``."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                form.add_error(name if name in form.fields else None, item)
    else:
        form.add_error(field, error)
