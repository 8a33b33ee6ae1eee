"""Serializer fields shared by the apps' APIs."""

from rest_framework import serializers


def assumed_fields(model) -> serializers.ListField:
    """``assumed_fields`` as a list of the names the model allows (its ``FieldNames`` validator),
    so the schema lists them; the model validates again when the service saves."""
    (validator,) = model._meta.get_field("assumed_fields").validators
    return serializers.ListField(
        child=serializers.ChoiceField(choices=validator.names),
        required=False,
        help_text="来源未载明、系推定的字段",
    )


def staged_attachments(help_text: str) -> serializers.ListField:
    """``attachments``: ids of the caller's own staged uploads (``attachments/`` without a
    target), bound by the service to what the request creates; anything else → 400."""
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=50,
        help_text=help_text,
    )
