from django.db import models


class Purpose(models.TextChoices):
    EVIDENCE = "evidence", "佐证材料"
    PHOTO = "photo", "现场照片"
    SCAN = "scan", "扫描件"
    REPLY = "reply", "答复函"
    OTHER = "other", "其他"


class DocumentType(models.TextChoices):
    DUBAN = "duban", "督办通知书"
    URGE = "urge", "催办通知书"
    BULLETIN = "bulletin", "督查通报"
    COMMENDATION = "commendation", "通报表扬"
    CRITICISM = "criticism", "通报批评"


# 发文字号 series per type: DOCUMENTS_PREFIX + this + 〔year〕N号 (e.g. 武隆督〔2024〕12号).
NUMBER_SERIES = {
    DocumentType.DUBAN: "",
    DocumentType.URGE: "催",
    DocumentType.BULLETIN: "通",
    DocumentType.COMMENDATION: "表",
    DocumentType.CRITICISM: "批",
}
