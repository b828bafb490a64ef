# Seed 000, "Python Package Example" (scripts/complete_example.py): package data read through pkg_resources.
import sys

from spool_client import Function

print("creating function")
async_func = Function(
    "compute_examples.complete.simplify",
    name="my-complete-compute-example",
    image="python%d.%d:latest" % sys.version_info[:2],
    cpus=0.25,
    memory=512,
    maximum_concurrency=1,
    timeout=600,
    retry_count=0,
    requirements=[
        "geopandas",
    ],
    include_modules=[
        "compute_examples",
    ],
    include_data=[
        "compute_examples/data/*.json"
    ],
)
async_func.save()

# invoking the function
print("submitting a job")
job = async_func(5)

# print the job result and logs
print("waiting for the job to complete")
job.wait_for_completion()
result = job.result()
print(result)
print(job.log())

shapes = result["shapes"] if isinstance(result, dict) else {}
if sorted(shapes) != ["field", "lake"] or not all(after < before for before, after in shapes.values()):
    sys.exit("expected both shapes of the data file, simplified: %r" % (result,))
async_func.delete()
