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


def name_parameter_enums(result, generator, request, public):
    """Postprocessing hook: query parameters name their enum as the components do.

    drf-spectacular leaves a filter's choices inline with the filter's translated
    label as `title`, and client generators name the type after it: the Vietnamese
    schema gave `DossiersListTrẠNgThÁI`, the English one `DossiersListState`. A
    parameter whose values are exactly a component enum's now points at that
    component; any other keeps its values and loses the title, so no type name
    depends on the request's language.
    """
    components = result.get("components", {}).get("schemas", {})
    by_values = {frozenset(schema["enum"]): name for name, schema in components.items() if "enum" in schema}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                schema.pop("title", None)
                name = by_values.get(frozenset(schema.get("enum", ())))
                if name:
                    parameter["schema"] = {"$ref": f"#/components/schemas/{name}"}
    return result
