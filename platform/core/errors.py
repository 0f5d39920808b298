"""Domain errors: every interface turns them into its own answer (JSON error, flash, exit code)."""


class DomainError(Exception):
    """A refused action.  ``status`` is the HTTP status the API answers with."""
    status = 409
    code = "conflict"

    def __init__(self, message, code=None, status=None, fields=None, details=None):
        super().__init__(message if isinstance(message, str) else message.get("en", ""))
        self.message = message if isinstance(message, dict) else {"zh": message, "en": message}
        self.code = code or self.code
        self.status = status or self.status
        self.fields = fields or {}
        self.details = details or {}


class NotFound(DomainError):
    status, code = 404, "not_found"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class Invalid(DomainError):
    status, code = 422, "invalid"
