import django_filters
from django.db.models import Q

from config.api.filters import BooleanFilter, DepartmentChoiceFilter, FilterSet
from supervision.files.choices import DocumentType, Purpose
from supervision.files.models import Attachment, Document


class AttachmentFilter(FilterSet):
    search_fields = ("name", "sha256")
    ordering_fields = {"created_at": "上传时间", "size": "大小", "name": "文件名"}
    default_ordering = ("-created_at", "-id")
    target_type = django_filters.CharFilter()
    target_id = django_filters.NumberFilter(min_value=1)
    purpose = django_filters.ChoiceFilter(choices=Purpose.choices)
    staged = BooleanFilter(method="filter_staged", label="仅未绑定对象的（本人刚上传的）")

    class Meta:
        model = Attachment
        fields = ["target_type", "target_id", "task", "project", "purpose"]

    def filter_staged(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(target_type="") if value else queryset.exclude(target_type="")


class DocumentFilter(FilterSet):
    search_fields = ("code", "title")
    ordering_fields = {"issued_at": "生成时间", "code": "发文字号", "number": "序号"}
    default_ordering = ("-issued_at", "-id")
    type = django_filters.ChoiceFilter(choices=DocumentType.choices)
    year = django_filters.NumberFilter(min_value=2000, max_value=2100)
    department = DepartmentChoiceFilter(method="filter_department", label="主送或事项牵头单位")

    class Meta:
        model = Document
        fields = ["type", "task", "year"]

    def filter_department(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(Q(department=value) | Q(task__lead_department=value))
