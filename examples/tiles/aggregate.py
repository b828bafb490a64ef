"""Sums tile histograms: reads one result per line ({"tile": id, "counts": [...]}) on stdin, prints the sum.

With --expect FIRST LAST it also checks the sum against histograms computed here, without the cluster.
"""

import json
import sys

import numpy as np

import tiles


def main(argv):
    seen = {}
    for line in sys.stdin:
        line = line.strip()
        if line:
            result = json.loads(line)
            seen[result["tile"]] = np.asarray(result["counts"], dtype=np.int64)
    total = sum(seen.values(), np.zeros(tiles.BINS, dtype=np.int64))
    print(json.dumps({"tiles": len(seen), "counts": total.tolist()}))
    if len(argv) == 4 and argv[1] == "--expect":
        ids = range(int(argv[2]), int(argv[3]) + 1)
        expected = sum((np.asarray(tiles.counts(i)) for i in ids), np.zeros(tiles.BINS, dtype=np.int64))
        if sorted(seen) != list(ids) or not np.array_equal(total, expected):
            print("aggregate differs from the local computation: %s" % expected.tolist(), file=sys.stderr)
            return 1
        print("matches the local computation of tiles %d..%d" % (ids[0], ids[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
