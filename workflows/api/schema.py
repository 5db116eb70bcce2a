"""The OpenAPI generator: documents the shared error shape on every operation."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Documents the error shape in the OpenAPI schema."""

    code = serializers.CharField(help_text="Machine-readable code, e.g. rule_violation, not_found.")
    message = serializers.CharField(help_text="Human-readable message in the user's language (Vietnamese).")
    details = serializers.JSONField(
        required=False, allow_null=True,
        help_text="Field errors for `invalid`; the rule's messages for `rule_violation`; otherwise null.",
    )


ERROR_CODES = {
    "400": "Refused by a rule (code rule_violation) or malformed request (code invalid); nothing changed.",
    "401": "Not authenticated (code not_authenticated or authentication_failed).",
    "403": "Authenticated, but the caller's role does not allow this action (code permission_denied).",
    "404": "No such object, or the caller may not see it (code not_found).",
}


class ErrorDocumentingSchema(AutoSchema):
    """Adds the shared error shape to every operation, so clients (and schemathesis)
    know every status an endpoint may answer with."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["401", "403", "404"] if self.method == "GET" and not self.path.endswith("/schema/") else []
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes = ["400", "401", "403", "404"]
        if self.method == "GET":
            codes.append("400")  # malformed filter values
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_CODES[code]
                responses[code] = response
        return responses
