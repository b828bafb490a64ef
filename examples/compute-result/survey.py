"""A result with metadata: ComputeResult wraps the value with tags, a description, properties and a geometry."""

from spool import ComputeResult


def survey(row, col):
    """Pretends to survey one 1x1 cell of a grid; the value is small, the metadata makes it findable."""
    value = {"row": row, "col": col, "trees": 10 * row + col}
    square = [[col, row], [col + 1, row], [col + 1, row + 1], [col, row + 1], [col, row]]
    return ComputeResult(
        value,
        description="survey of cell %d,%d" % (row, col),
        tags=["survey", "row-%d" % row],
        extra_properties={"row": row, "col": col, "trees": value["trees"]},
        geometry={"type": "Polygon", "coordinates": [square]},
    )
