"""The YAML loader every spec, space and calibration file goes through, with limits on what a
file may make it build: hostile or broken files get a YAML error, never a crash or a hang.

PyYAML composes nested collections recursively, lets aliases name the node that contains them,
and builds one object per alias while later code walks every alias as a copy: 5,000 brackets
exhaust the stack, `&a [*a]` is infinitely deep, and nine lines of aliases ("billion laughs")
expand to 10^9 values. The loader refuses each before building anything.
"""

import re
from collections.abc import Hashable

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

MOST_DEPTH = 64
"""Nesting levels of a document, aliases expanded. Specs use about 6; deeper is not a spec."""
MOST_VALUES = 100_000
"""Values (scalars, lists, mappings) of a document, aliases expanded. Shipped files hold a few hundred."""
MOST_INTEGER_CHARACTERS = 100
"""Characters of one integer literal. Longer ones (a 5,000-digit number) are beyond every field's
bound, and Python refuses to print integers of more than 4,300 digits in messages."""

# PyYAML (YAML 1.1) reads `200e6` and `200.0e6` as strings: it wants a dot and a signed exponent.
# Specs write SI values that way, so read any number with an exponent as a float, as YAML 1.2 does.
_EXPONENT_FLOAT = re.compile(r'^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$')


class SpecYamlLoader(yaml.SafeLoader):
    """SafeLoader that reads `1e9` as a float, rejects duplicate keys (a silent overwrite), and
    refuses documents beyond MOST_DEPTH, MOST_VALUES and MOST_INTEGER_CHARACTERS or with recursive aliases."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._open_anchors: list[str] = []  # anchors of the collections being composed

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open_anchors:
                raise ComposerError(None, None, f'alias *{event.anchor} is inside the node it names '
                                    '(recursive data)', event.start_mark)
            return super().compose_node(parent, index)
        if self._depth >= MOST_DEPTH:
            raise ComposerError(None, None, f'nested more than {MOST_DEPTH} levels deep', event.start_mark)
        self._depth += 1
        self._open_anchors.append(event.anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._open_anchors.pop()

    def get_single_node(self):
        node = super().get_single_node()
        if node is not None:
            _check_expanded(node)
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == 'tag:yaml.org,2002:merge':
                continue  # `<<: *anchor` keys may be overridden; the base class merges them
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                continue  # the base class reports unhashable keys
            if key in seen:
                raise ConstructorError(None, None, f'duplicate key {key!r}', key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        if len(node.value) > MOST_INTEGER_CHARACTERS:
            raise ConstructorError(None, None, f'an integer of {len(node.value)} characters is too large for any '
                                   f'field (at most {MOST_INTEGER_CHARACTERS})', node.start_mark)
        return super().construct_yaml_int(node)


SpecYamlLoader.add_implicit_resolver('tag:yaml.org,2002:float', _EXPONENT_FLOAT, list('-+.0123456789'))
SpecYamlLoader.add_constructor('tag:yaml.org,2002:int', SpecYamlLoader.construct_yaml_int)


def _check_expanded(root: yaml.Node) -> None:
    """Refuse a document whose aliases, expanded as later code walks them, exceed the limits.

    Counted on the composed nodes, where each alias is one shared node: the work is the size of
    the file, not of the expansion. A merge key (`<<: *a`) counts as the mapping it copies.
    """
    measured: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) of its expansion
    pending: list[tuple[yaml.Node, bool]] = [(root, False)]
    while pending:  # post-order without recursion: each child before its parent
        node, children_measured = pending.pop()
        if id(node) in measured:
            continue
        children = _children(node)
        if not children_measured:
            pending.append((node, True))
            pending.extend((child, False) for child in children if id(child) not in measured)
            continue
        # Capped just past the limits: a chain of aliases could otherwise count to 10^100000.
        values = min(1 + sum(measured[id(child)][0] for child in children), MOST_VALUES + 1)
        depth = min(1 + max((measured[id(child)][1] for child in children), default=0), MOST_DEPTH + 1)
        measured[id(node)] = (values, depth)
    values, depth = measured[id(root)]
    if values > MOST_VALUES:
        raise ComposerError(None, None, f'aliases expand the document to more than {MOST_VALUES} values')
    if depth > MOST_DEPTH:
        raise ComposerError(None, None, f'aliases nest the document more than {MOST_DEPTH} levels deep')


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return []
