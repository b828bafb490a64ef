"""Prints one job per line (JSON Lines, each line the job's arguments) for `spool job submit FID --file -`."""

import json
import sys


def main(argv):
    count = int(argv[1]) if len(argv) > 1 else 50
    length = int(argv[2]) if len(argv) > 2 else 5
    for i in range(count):
        print(json.dumps([i, length]))


if __name__ == "__main__":
    main(sys.argv)
