"""Numbers written as expressions (`1024 * 1024`, `inf`, `8 * 614e9`, a Timeloop variable's
name), evaluated on a whitelist of arithmetic: source files are data, never code to run."""

import ast
import math
import operator

from codesign.errors import ArchSpecError

LONGEST_EXPRESSION = 200
"""Characters of one expression; the published files' longest is about 60."""
LARGEST_EXPONENT = 64  # `10**10**10` would otherwise take minutes and gigabytes

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}


class NotANumber(ValueError):
    """The value is no arithmetic on numbers and known names (a tensor's bits, a Python call)."""


def number(value: object, names: dict[str, float] | None = None) -> float:
    """`value` as a number: a YAML number, or a string of arithmetic on numbers, `inf` and `names`."""
    if isinstance(value, bool):
        raise NotANumber(f'{value!r} is not a number')
    if isinstance(value, (int, float)):
        return value
    if not isinstance(value, str) or len(value) > LONGEST_EXPRESSION:
        raise NotANumber(f'{str(value)[:40]!r} is not a number')
    try:
        tree = ast.parse(value.strip(), mode='eval')
    except SyntaxError:
        raise NotANumber(f'{value!r} is not arithmetic') from None
    return _evaluate(tree.body, {'inf': math.inf, **(names or {})})


def non_negative(value: object, where: str) -> float:
    """`value` as a finite number >= 0; ArchSpecError naming `where` (file and field) otherwise."""
    try:
        result = number(value)
    except NotANumber as error:
        raise ArchSpecError(f'{where}: {error}') from None
    if not 0 <= result < 1e30:
        raise ArchSpecError(f'{where}: must be a finite number >= 0 (got {result})')
    return float(result)


def _evaluate(node: ast.AST, names: dict[str, float]) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Name) and node.id in names:
        return number(names[node.id])
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _evaluate(node.operand, names)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left, names), _evaluate(node.right, names)
        if isinstance(node.op, ast.Pow) and abs(right) > LARGEST_EXPONENT:
            raise NotANumber(f'an exponent of {right} is beyond any size')
        try:
            return _BINARY[type(node.op)](left, right)
        except (ZeroDivisionError, OverflowError, ValueError):
            raise NotANumber(f'{ast.unparse(node)!r} has no finite value') from None
    raise NotANumber(f'{ast.unparse(node)!r} is not arithmetic on numbers')
