"""The serializer bases every API serializer derives from.

``TextInputMixin`` puts ``core.errors.TextValidator`` on every writable text field, so no
API input anywhere stores a control character (they break the Excel ledgers and have no
business in text): a field a ``TextField`` backs, or one without ``max_length``, is
multi-line and keeps tab and line breaks; every other text field is one line.
"""

from rest_framework import serializers

from core.validators import TextValidator


def is_multiline(field: serializers.CharField) -> bool:
    return field.style.get("base_template") == "textarea.html" or field.max_length is None


class TextInputMixin:
    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if (
                isinstance(field, serializers.CharField)
                and not field.read_only
                and field.style.get("input_type") != "password"
            ):
                field.validators.append(TextValidator(multiline=is_multiline(field)))
        return fields


class Serializer(TextInputMixin, serializers.Serializer):
    pass


class ModelSerializer(TextInputMixin, serializers.ModelSerializer):
    pass
