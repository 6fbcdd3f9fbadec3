"""The OpenAPI document as the human-readable API page reads it: groups, operations, fields.

Everything here is derived from `openapi.document()`, so the page and the JSON never disagree.
"""

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from app.api.openapi import TAGS, WHO, document
from app.api.parsing import MAX_INT

_SCHEMA_PREFIX = "#/components/schemas/"
_RESPONSE_PREFIX = "#/components/responses/"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    type: str = ""


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    summary: str
    description: str
    who: str
    parameters: list[Field]
    body: list[Field]
    body_type: str
    body_required: bool
    responses: list[Response]

    @property
    def short_path(self) -> str:
        """The path under the API's prefix, for the table of contents."""
        return self.path.removeprefix(document()["servers"][0]["url"])


@dataclass(frozen=True)
class Group:
    name: str
    description: str
    operations: list[Operation]


@dataclass(frozen=True)
class ObjectSchema:
    name: str
    fields: list[Field]
    includes: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    description: str = ""


def _ref_name(ref: str) -> str:
    return ref.removeprefix(_SCHEMA_PREFIX).removeprefix(_RESPONSE_PREFIX)


def type_label(schema: dict[str, Any]) -> str:
    """A short name for a schema: `string or null`, `array of Idea`, `page of Comment`."""
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    if "anyOf" in schema:
        return " or ".join(type_label(part) for part in schema["anyOf"])
    if "allOf" in schema:
        parts = schema["allOf"]
        if parts[0].get("$ref") == _SCHEMA_PREFIX + "PageMeta":
            return "page of " + type_label(parts[1]["properties"]["items"]["items"])
        if "allOf" in parts[0] and len(parts) == 2:  # a page plus extra fields
            return type_label(parts[0]) + " + " + ", ".join(parts[1].get("properties", {}))
        return " + ".join(type_label(part) for part in parts)
    if "const" in schema:
        return repr(schema["const"])
    if "enum" in schema:
        return " | ".join("null" if value is None else str(value) for value in schema["enum"])
    types = schema.get("type", "any")
    names = types if isinstance(types, list) else [types]
    labels = []
    for name in names:
        if name == "array" and "items" in schema:
            labels.append("array of " + type_label(schema["items"]))
        elif name == "string" and "format" in schema:
            labels.append(f"string ({schema['format']})")
        elif name == "object" and isinstance(schema.get("additionalProperties"), dict):
            labels.append("object of " + type_label(schema["additionalProperties"]))
        elif name == "object" and 0 < len(schema.get("properties", {})) <= 3:
            inner = ", ".join(f"{key}: {type_label(value)}" for key, value in schema["properties"].items())
            labels.append("{" + inner + "}")
        else:
            labels.append(name)
    return " or ".join(labels)


def _limits(schema: dict[str, Any]) -> str:
    low = schema.get("minimum", schema.get("minLength"))
    high = schema.get("maximum", schema.get("maxLength"))
    if high is not None and high >= MAX_INT:
        return ""  # a storage bound (parsing.MAX_INT), not a rule worth a reader's time
    unit = " characters" if "minLength" in schema or "maxLength" in schema else ""
    if low is not None and high is not None:
        return f"{low}–{high:,}{unit}."
    if high is not None:
        return f"At most {high:,}{unit}."
    return ""


def object_fields(schema: dict[str, Any]) -> list[Field]:
    """The properties of an object schema, required ones first."""
    required = set(schema.get("required", ()))
    fields = [
        Field(
            name,
            type_label(prop),
            name in required,
            " ".join(filter(None, (prop.get("description", ""), _limits(prop)))),
        )
        for name, prop in schema.get("properties", {}).items()
    ]
    return sorted(fields, key=lambda item: not item.required)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return document()["components"]["schemas"][_ref_name(schema["$ref"])]
    return schema


def _responses(op: dict[str, Any]) -> list[Response]:
    responses = []
    for status, response in op["responses"].items():
        if "$ref" in response:
            response = document()["components"]["responses"][_ref_name(response["$ref"])]
            responses.append(Response(status, response["description"], "Error"))
            continue
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        responses.append(Response(status, response["description"], type_label(schema) if schema else ""))
    return responses


def _operation(method: str, path: str, op: dict[str, Any]) -> Operation:
    body = op.get("requestBody")
    body_schema = body["content"]["application/json"]["schema"] if body else None
    parameters = [
        Field(
            param["name"],
            f"{param['in']}: {type_label(param['schema'])}",
            param.get("required", False),
            " ".join(filter(None, (param.get("description", ""), _limits(param["schema"])))),
        )
        for param in op.get("parameters", [])
    ]
    return Operation(
        id=op["operationId"],
        method=method.upper(),
        path=document()["servers"][0]["url"] + path,
        summary=op["summary"],
        description=op.get("description", ""),
        who=WHO[op["x-who"]],
        parameters=parameters,
        body=object_fields(_resolve(body_schema)) if body_schema else [],
        body_type=type_label(body_schema) if body_schema else "",
        body_required=bool(body and body.get("required")),
        responses=_responses(op),
    )


@cache
def groups() -> list[Group]:
    """The operations grouped by tag, in the document's order."""
    by_tag: dict[str, list[Operation]] = {name: [] for name, _ in TAGS}
    for path, item in document()["paths"].items():
        for method, op in item.items():
            by_tag[op["tags"][0]].append(_operation(method, path, op))
    return [Group(name, text, by_tag[name]) for name, text in TAGS if by_tag[name]]


@cache
def objects() -> list[ObjectSchema]:
    """The objects the API answers with (not request bodies), each with its fields."""
    from app.api.openapi_schemas import SCHEMAS

    result = []
    for name, schema in SCHEMAS.items():
        includes: list[str] = []
        alternatives: list[str] = []
        fields: list[Field] = []
        for part in schema.get("allOf", [schema]):
            if "$ref" in part:
                includes.append(_ref_name(part["$ref"]))
            elif "anyOf" in part:
                # Each alternative is a reference, or a reference with a few fields more.
                alternatives += [
                    _ref_name(item.get("$ref") or item["allOf"][0]["$ref"]) for item in part["anyOf"]
                ]
            else:
                fields.extend(object_fields(part))
        result.append(ObjectSchema(name, fields, includes, alternatives, schema.get("description", "")))
    return result
