"""Jobs that compute with numpy and return plain lists: JSON holds lists, not arrays, so call .tolist()."""

import numpy as np


def squares_and_roots(i, n):
    """i * k**2 as integers and sqrt(k + i) as floats, for k in 0..n-1."""
    k = np.arange(n, dtype=np.int64)
    return {"i": i, "squares": (i * k ** 2).tolist(), "roots": np.sqrt(k + i).tolist()}
