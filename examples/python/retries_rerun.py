# Seed 000, "Retries, reruns and job results": retry_count, rerun() of what still failed, iter_results().
import os
import sys
import tempfile

import numpy as np

from spool_client import Function, Job, JobStatus


def nir_histogram(tile, marker_dir):
    import os

    import numpy as np

    # count this attempt of the tile: tiles divisible by 7 fail their first attempt (a retry absorbs it), tiles
    # divisible by 11 their first four (more than retry_count=3: they end FAILURE until rerun)
    marker = os.path.join(marker_dir, "tile-%d.attempts" % tile)
    with open(marker, "a") as f:
        f.write("x")
    attempt = os.path.getsize(marker)
    if (tile % 11 == 0 and attempt <= 4) or (tile % 7 == 0 and attempt <= 1):
        raise RuntimeError("tile %d: attempt %d hit a transient error" % (tile, attempt))

    tile_mosaic = np.random.default_rng(tile).integers(0, 10000, size=(200, 200))
    histogram, _ = np.histogram(
        tile_mosaic,
        bins=100,
        range=(0, 10000),
        density=False,
    )
    return histogram.tolist()


async_func = Function(
    nir_histogram,
    name="nir-histogram",
    image="python%d.%d:latest" % sys.version_info[:2],
    cpus=1,
    memory=2048,
    maximum_concurrency=20,
    timeout=600,
    retry_count=3,
)
async_func.save()

# the containers of the embedded cluster run on this machine, so a local directory can count attempts
marker_dir = tempfile.mkdtemp(prefix="nir-histogram-")
os.chmod(marker_dir, 0o777)
tiles = list(range(1, 31))

async_func.map((tile, marker_dir) for tile in tiles)
async_func.wait_for_completion()

failed = async_func.jobs.filter(Job.status == JobStatus.FAILURE).collect()
print("failed after retries:", sorted(job.args[0] for job in failed))

async_func.rerun()
async_func.wait_for_completion()

success_results = async_func.iter_results()
aggregated_histogram = np.zeros((100,))
for result in success_results:
    histogram_list = result
    aggregated_histogram += np.asarray(histogram_list)
print(aggregated_histogram)

expected = np.zeros((100,))
for tile in tiles:
    expected += np.histogram(np.random.default_rng(tile).integers(0, 10000, size=(200, 200)), bins=100,
                             range=(0, 10000))[0]
retried = async_func.jobs.filter(Job.execution_count >= 2).count()
print("jobs that took more than one attempt:", retried)
if sorted(job.args[0] for job in failed) != [11, 22] or not np.array_equal(aggregated_histogram, expected):
    sys.exit("expected tiles 11 and 22 to fail until rerun and the aggregate of all 30 tiles")
if async_func.jobs.filter(Job.status == JobStatus.SUCCESS).count() != len(tiles):
    sys.exit("not every tile succeeded after the rerun")
async_func.delete(delete_results=True)
