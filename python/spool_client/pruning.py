"""Pruning a script to what importing it must define: imports, functions, classes and constants, nothing it runs.

A script like the seeds' (``f = Function(hello, ...); f.save(); f(5)`` at its top level, no ``__main__`` guard)
cannot be imported in a job as it is: it would create functions and submit jobs again. Pruned, it keeps

* imports, function and class definitions (with their decorators),
* top-level assignments whose value calls nothing (constants such as ``SIZE = 256``),
* ``try`` and ``if`` blocks (except ``if __name__ == "__main__"`` and tests that call something) with their
  bodies pruned the same way, where that leaves anything in them,
* the module's docstring,

and drops every other statement: calls, prints, loops, ``with`` blocks, assignments from calls. Dropped lines are
blanked, so line numbers in a job's traceback are those of the original script.
"""
from __future__ import annotations

import ast
from typing import List, Optional, Sequence, Set


def _calls_anything(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)) for n in ast.walk(node))


def _is_main_guard(test: ast.expr) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "__name__" for n in ast.walk(test))


def _kept_alone(stmt: ast.stmt) -> bool:
    """Whether a statement is kept whole (not a block whose body is pruned)."""
    if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                         ast.Pass)):
        return True
    if isinstance(stmt, (ast.Assign, ast.AugAssign)):
        return not _calls_anything(stmt.value)
    if isinstance(stmt, ast.AnnAssign):
        return stmt.value is None or not _calls_anything(stmt.value)
    return False


def _is_block(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Try):
        return True
    return isinstance(stmt, ast.If) and not _is_main_guard(stmt.test) and not _calls_anything(stmt.test)


def _keeps_something(stmt: ast.stmt) -> bool:
    """Whether a block keeps any statement once pruned (a block that keeps nothing is dropped whole)."""
    return any(_kept_alone(s) or (_is_block(s) and _keeps_something(s)) for body in _bodies(stmt) for s in body
               if not isinstance(s, ast.Pass))


def _bodies(stmt: ast.stmt) -> List[List[ast.stmt]]:
    if isinstance(stmt, ast.Try):
        return [stmt.body] + [h.body for h in stmt.handlers] + [stmt.orelse, stmt.finalbody]
    if isinstance(stmt, ast.If):
        return [stmt.body, stmt.orelse]
    return []


def prune(source: str, filename: str = "<script>") -> str:
    """The source with every statement that is not kept blanked (see the module's description).

    Raises SyntaxError if the source does not parse.
    """
    tree = ast.parse(source, filename)
    lines = source.splitlines(keepends=True)
    edits: List[tuple] = []  # (first line, last line, replacement of the first line or None)
    occupied: Set[int] = set()
    simple = _plan(tree.body, edits, occupied, top=True)
    if simple and _lines_are_own(edits, lines, occupied):
        for first, last, replacement in edits:
            for n in range(first, last + 1):
                lines[n - 1] = "\n" if n > first or replacement is None else replacement
        text = "".join(lines)
        try:
            compile(text, filename, "exec", dont_inherit=True)
            return text
        except SyntaxError:
            pass
    return _unparsed(tree)


def _plan(body: Sequence[ast.stmt], edits: List[tuple], occupied: Set[int], top: bool) -> bool:
    """Records which statements of ``body`` to blank; returns False where blanking lines cannot work."""
    kept_any = False
    dropped: List[ast.stmt] = []
    for index, stmt in enumerate(body):
        docstring = (top and index == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                     and isinstance(stmt.value.value, str))
        if docstring or _kept_alone(stmt):
            kept_any = True
            occupied.update(range(_first_line(stmt), (stmt.end_lineno or stmt.lineno) + 1))
        elif _is_block(stmt) and _keeps_something(stmt):
            kept_any = True
            occupied.add(stmt.lineno)
            for inner in _bodies(stmt):
                if inner and not _plan(inner, edits, occupied, top=False):
                    return False
            for handler in getattr(stmt, "handlers", []):
                occupied.add(handler.lineno)
        else:
            dropped.append(stmt)
    for i, stmt in enumerate(dropped):
        keep_block_alive = not top and not kept_any and i == 0
        replacement = " " * stmt.col_offset + "pass\n" if keep_block_alive else None
        edits.append((stmt.lineno, stmt.end_lineno or stmt.lineno, replacement))
    return True


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None) or []
    return min([stmt.lineno] + [d.lineno for d in decorators])


def _lines_are_own(edits: List[tuple], lines: List[str], occupied: Set[int]) -> bool:
    """Whether each dropped statement has its lines to itself (no ``a = 1; print(a)`` sharing a line)."""
    for first, last, _ in edits:
        if any(n in occupied for n in range(first, last + 1)):
            return False
        if first - 1 >= len(lines):
            return False
    seen: Set[int] = set()
    for first, last, _ in edits:
        span = set(range(first, last + 1))
        if span & seen:
            return False
        seen |= span
    return True


def _unparsed(tree: ast.Module) -> str:
    """The pruned module regenerated from its syntax tree (line numbers change)."""
    tree.body = _pruned_nodes(tree.body, top=True)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def _pruned_nodes(body: Sequence[ast.stmt], top: bool) -> List[ast.stmt]:
    kept: List[ast.stmt] = []
    for index, stmt in enumerate(body):
        docstring = (top and index == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                     and isinstance(stmt.value.value, str))
        if docstring or _kept_alone(stmt):
            kept.append(stmt)
        elif _is_block(stmt) and _keeps_something(stmt):
            if isinstance(stmt, ast.Try):
                stmt.body = _pruned_nodes(stmt.body, False) or [ast.Pass()]
                for h in stmt.handlers:
                    h.body = _pruned_nodes(h.body, False) or [ast.Pass()]
                stmt.orelse = _pruned_nodes(stmt.orelse, False)
                stmt.finalbody = _pruned_nodes(stmt.finalbody, False)
            else:
                stmt.body = _pruned_nodes(stmt.body, False) or [ast.Pass()]
                stmt.orelse = _pruned_nodes(stmt.orelse, False)
            kept.append(stmt)
    return kept


def top_level_function(source: str, name: str) -> Optional[ast.AST]:
    """The top-level ``def name`` of a source, None if there is none."""
    for stmt in ast.parse(source).body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
            return stmt
    return None
