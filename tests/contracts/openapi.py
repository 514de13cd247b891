"""What a client relies on in the OpenAPI schema, extracted so two versions can be compared.

For every operation (``METHOD /path``): the request body's required fields, and for every
documented response status the properties of its body with their types (``$ref`` resolved,
lists and nested objects described by their item/property shapes, one level deep)."""


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], components)
    return schema


def _shape(schema: dict, components: dict, depth: int = 0):
    schema = _resolve(schema, components)
    kind = schema.get("type", "object" if "properties" in schema else "any")
    if kind == "array" and depth < 2:
        return ["array", _shape(schema.get("items", {}), components, depth + 1)]
    if kind == "object" and "properties" in schema and depth < 2:
        return {
            name: _shape(prop, components, depth + 1)
            for name, prop in sorted(schema["properties"].items())
        }
    return kind


def contract(schema: dict) -> dict:
    components = schema.get("components", {}).get("schemas", {})
    result = {}
    for path, operations in sorted(schema["paths"].items()):
        for method, operation in sorted(operations.items()):
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            required: set[str] = set()
            for media in operation.get("requestBody", {}).get("content", {}).values():
                required |= set(_resolve(media.get("schema", {}), components).get("required", []))
            responses = {}
            for status, response in sorted(operation.get("responses", {}).items()):
                content = response.get("content", {})
                media = content.get("application/json") or next(iter(content.values()), None)
                responses[status] = _shape(media["schema"], components) if media else None
            result[f"{method.upper()} {path}"] = {
                "request_required": sorted(required),
                "responses": responses,
            }
    return result


def breaking_changes(before: dict, after: dict) -> list[str]:
    """What a client of ``before`` would notice in ``after``: a missing operation or response,
    a new required request field, a response property gone or of another type. Additions
    (new operations, responses or properties) are not breaking."""
    problems = []

    def compare(where: str, old, new):
        if isinstance(old, dict):
            if not isinstance(new, dict):
                problems.append(f"{where}: era un objeto, ahora {new!r}")
                return
            for name, shape in old.items():
                if name not in new:
                    problems.append(f"{where}.{name}: ya no está")
                else:
                    compare(f"{where}.{name}", shape, new[name])
        elif isinstance(old, list):
            if not isinstance(new, list):
                problems.append(f"{where}: era una lista, ahora {new!r}")
            else:
                compare(f"{where}[]", old[1], new[1])
        elif old != new and old != "any":
            problems.append(f"{where}: era {old}, ahora {new}")

    for operation, old in before.items():
        new = after.get(operation)
        if new is None:
            problems.append(f"{operation}: la operación ya no existe")
            continue
        added = set(new["request_required"]) - set(old["request_required"])
        if added:
            problems.append(f"{operation}: campos nuevos obligatorios {sorted(added)}")
        for status, shape in old["responses"].items():
            if status not in new["responses"]:
                problems.append(f"{operation} → {status}: la respuesta ya no existe")
            elif shape is not None:
                compare(f"{operation} → {status}", shape, new["responses"][status])
    return problems
