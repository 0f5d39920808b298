"""A text in both languages: its own module so every section schema can share it."""
from marshmallow import Schema, fields, validate


class Text(Schema):
    zh = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    en = fields.String(required=True, validate=validate.Length(min=1, max=2000))
