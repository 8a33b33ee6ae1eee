"""Every API serializer and every cockpit form refuses control characters in its text fields
(issue 12 item 4): they derive from the shared bases, which put ``TextValidator`` on them."""

import importlib
import pkgutil

import pytest
from django import forms
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

import config.urls  # noqa: F401 — loads every API module, so every serializer is defined
from config.api.serializers import TextInputMixin, is_multiline
from supervision.web import forms as web_forms
from supervision.web.forms import TextInputFormMixin

OURS = ("accounts.", "projects.", "supervision.", "config.", "seeds.")


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def our_serializers():
    for package in ("accounts", "projects", "supervision"):
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if ".api" in info.name and "tests" not in info.name:
                importlib.import_module(info.name)
    found = {
        cls
        for cls in all_subclasses(serializers.BaseSerializer)
        if cls.__module__.startswith(OURS)
        and cls.__module__ != "config.api.serializers"  # the bases themselves
        and not issubclass(cls, serializers.ListSerializer)
    }
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


SERIALIZERS = our_serializers()


@pytest.mark.django_db  # unique fields ask the database
@pytest.mark.parametrize("serializer_class", SERIALIZERS, ids=lambda cls: cls.__qualname__)
def test_every_api_serializer_refuses_control_characters_in_text(serializer_class):
    assert issubclass(serializer_class, TextInputMixin), "derive from config.api.serializers"
    text_fields = {
        name: field
        for name, field in serializer_class(context={"request": None}).fields.items()
        if isinstance(field, serializers.CharField)
        and not field.read_only
        and field.style.get("input_type") != "password"
    }
    for field in text_fields.values():
        with pytest.raises(ValidationError):
            field.run_validation("甲\x01乙")
        with pytest.raises(ValidationError):
            field.run_validation("甲\x00乙")
        if is_multiline(field):
            assert field.run_validation("第一行\r\n第二行\t完") == "第一行\r\n第二行\t完"
        else:
            with pytest.raises(ValidationError):
                field.run_validation("甲\n乙")


def test_the_guard_sees_the_serializers_that_take_text():
    names = {cls.__name__ for cls in SERIALIZERS}
    assert {"TaskSerializer", "DepartmentSerializer", "CommentSerializer"} <= names


COCKPIT_FORMS = [
    cls
    for cls in vars(web_forms).values()
    if isinstance(cls, type)
    and issubclass(cls, forms.BaseForm)
    and cls.__module__ == web_forms.__name__
]


@pytest.mark.parametrize("form_class", COCKPIT_FORMS, ids=lambda cls: cls.__name__)
def test_every_cockpit_form_refuses_control_characters_in_text(form_class):
    assert issubclass(form_class, TextInputFormMixin), "derive from web.forms.CockpitForm"
