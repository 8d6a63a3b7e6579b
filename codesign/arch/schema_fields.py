"""Which fields a schema allows at a place in the data, so that an unknown key can be answered
with the valid one it most resembles (`capacty_bytes` -> did you mean 'capacity_bytes'?)."""

from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel


def field_names_at(schema: type[BaseModel], location: tuple) -> tuple[str, ...]:
    """The field names of the model at `location` (a pydantic error location: list indices and
    union tags included) below `schema`; () where the location is not inside a model."""
    annotation: Any = schema
    for element in location:
        annotation = _step(annotation, element)
        if annotation is None:
            return ()
    model = _model(annotation) or _optional_model(annotation)
    return tuple(model.model_fields) if model else ()


def without_union_labels(schema: type[BaseModel], location: tuple) -> tuple:
    """`location` as a user reads it: without the member labels pydantic adds after a union
    (`hierarchy.1.memory.name`: the `kind` tag; `range.start.int`: the type tried)."""
    kept, annotation = [], schema
    for element in location:
        members = _union_members(annotation)
        if len(members) > 1:  # the element names the member tried: not a key the user wrote
            annotation = _member_labelled(members, element)
            continue
        kept.append(element)
        annotation = _step(annotation, element) if annotation is not None else None
    return tuple(kept)


def _union_members(annotation: Any) -> list:
    annotation = _unwrap(annotation)
    if get_origin(annotation) not in (Union, UnionType):
        return []
    return [member for member in get_args(annotation) if member is not type(None)]


def _member_labelled(members: list, label: Any) -> Any:
    for member in members:
        model = _model(member)
        unwrapped = _unwrap(member)
        if (model is not None and label in _kind_tags(model)) or getattr(unwrapped, '__name__', None) == label:
            return member
    return None  # a label we do not read (a constrained type's): stop following the schema


def _optional_model(annotation: Any) -> type[BaseModel] | None:
    # `range: Range | None`: the location ends at the field, which holds the model when given.
    annotation = _unwrap(annotation)
    if get_origin(annotation) not in (Union, UnionType):
        return None
    models = [_model(member) for member in get_args(annotation) if _model(member) is not None]
    return models[0] if len(models) == 1 else None


def _step(annotation: Any, element: Any) -> Any:
    """The annotation of what `element` (a field name, index, key or union tag) selects in `annotation`."""
    annotation = _unwrap(annotation)
    model = _model(annotation)
    if model is not None:
        field = model.model_fields.get(element) if isinstance(element, str) else None
        return field.annotation if field else None
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin in (list, tuple) and isinstance(element, int) and arguments:
        return arguments[0]
    if origin is dict and len(arguments) == 2:
        return arguments[1]
    if origin in (Union, UnionType):
        return _union_member(arguments, element)
    return None


def _union_member(members: tuple, element: Any) -> Any:
    # A discriminated union puts the member's `kind` tag in the location; an optional field does not.
    for member in members:
        model = _model(member)
        if model is not None and element in _kind_tags(model):
            return model
    models = [member for member in members if _model(member) is not None]
    return _step(models[0], element) if len(models) == 1 else None


def _kind_tags(model: type[BaseModel]) -> tuple:
    field = model.model_fields.get('kind')
    if field is None or get_origin(field.annotation) is not Literal:
        return ()
    return get_args(field.annotation)


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _model(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    is_class = isinstance(annotation, type) and get_origin(annotation) is None  # list[int] passes isinstance
    return annotation if is_class and issubclass(annotation, BaseModel) else None
