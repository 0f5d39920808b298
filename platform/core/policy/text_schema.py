"""A text in both languages: its own module so every section schema can share it."""
from marshmallow import Schema, validate

from core.validation import Text as Str


class Text(Schema):
    zh = Str(required=True, validate=validate.Length(min=1, max=2000))
    en = Str(required=True, validate=validate.Length(min=1, max=2000))
