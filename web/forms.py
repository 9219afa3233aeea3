"""The search form (GET, no CSRF: it changes nothing) and the upload form (POST, CSRF)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import MultiDict
from wtforms import Form, IntegerField, SelectField, StringField
from wtforms.validators import ValidationError

from matcher.records import ORG_TYPES

from .i18n import t, type_label


class SearchForm(Form):
    """Programme, free-text need, type, region, country, number of candidates."""

    programme = SelectField(validate_choice=False)
    q = StringField()
    type = SelectField(validate_choice=False)
    region = SelectField(validate_choice=False)
    country = StringField()
    top = IntegerField()

    def __init__(self, formdata: MultiDict, *, programmes: Iterable[tuple[str, str]],
                 regions: Iterable[str], max_top: int, default_top: int) -> None:
        super().__init__(formdata)
        self.max_top = max_top
        self.programme.label.text = t("programme")
        self.programme.choices = [("", t("any_programme")), *programmes]
        self.q.label.text = t("need")
        self.type.label.text = t("org_type")
        self.type.choices = [("", t("any_type"))] + [(k, type_label(k)) for k in ORG_TYPES]
        self.region.label.text = t("region")
        self.region.choices = [("", t("any_region"))] + [(r, r) for r in regions]
        self.country.label.text = t("country")
        self.top.label.text = t("top")
        if not formdata.get("top"):
            self.top.data = default_top
            self.top.raw_data = [str(default_top)]

    def validate_programme(self, field: SelectField) -> None:
        if field.data and field.data not in {k for k, _ in field.choices[1:]}:
            raise ValidationError(t("err_programme"))

    def validate_q(self, field: StringField) -> None:
        field.data = (field.data or "").strip()
        if len(field.data) > 500:
            raise ValidationError(t("err_query_long"))
        if not field.data and not self.programme.data:
            raise ValidationError(t("err_need_something"))

    def validate_type(self, field: SelectField) -> None:
        if field.data and field.data not in ORG_TYPES:
            raise ValidationError(t("err_type"))

    def validate_region(self, field: SelectField) -> None:
        if field.data and field.data not in {k for k, _ in field.choices[1:]}:
            raise ValidationError(t("err_region"))

    def validate_country(self, field: StringField) -> None:
        field.data = (field.data or "").strip().upper()
        if field.data and not (len(field.data) == 2 and field.data.isascii()
                               and field.data.isalpha()):
            raise ValidationError(t("err_country"))

    def validate_top(self, field: IntegerField) -> None:
        if field.process_errors:
            return
        if field.data is None or not 1 <= field.data <= self.max_top:
            raise ValidationError(t("err_top", max=self.max_top))

    def pre_validate_top_message(self) -> None:
        """WTForms' own 'Not a valid integer value' becomes our French message."""
        if self.top.process_errors:
            self.top.process_errors = [t("err_top", max=self.max_top)]

    def validate(self, extra_validators: object = None) -> bool:  # type: ignore[override]
        self.pre_validate_top_message()
        return super().validate()

    def params(self) -> dict[str, object]:
        """Validated values as the library's keyword arguments."""
        return {
            "programme": self.programme.data or None,
            "query": self.q.data or None,
            "type": self.type.data or None,
            "region": self.region.data or None,
            "country": self.country.data or None,
            "top": int(self.top.data),
        }


class UploadForm(FlaskForm):
    """One or more documents to ingest (txt, md, html, pdf)."""

    file = MultipleFileField()

    def __init__(self, *args: object, extensions: Iterable[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.extensions = tuple(extensions)
        self.file.label.text = t("upload_file")

    def validate_file(self, field: MultipleFileField) -> None:
        files = [f for f in (field.raw_data or []) if getattr(f, "filename", "")]
        if not files:
            raise ValidationError(t("err_upload_required"))
        for storage in files:
            if Path(storage.filename).suffix.lower() not in self.extensions:
                raise ValidationError(f"{storage.filename} : {t('err_upload_type')}")
        field.data = files
