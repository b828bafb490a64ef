# Seed 000, "Multiple Jobs Example" (scripts/multiple_jobs.py): twenty jobs by qualified name, handled as_completed.
import sys

import numpy as np

from spool_client import Function, JobStatus

print("creating function")
async_func = Function(
    "compute_examples.basic.generate_random_image",
    name="my-compute-random-image",
    image="python%d.%d:latest" % sys.version_info[:2],
    include_modules=["compute_examples"],
    requirements=[
        "geopandas",
    ],
    cpus=1,
    memory=2048,
    maximum_concurrency=20,
    timeout=600,
    retry_count=1,
)
async_func.save()

print("waiting for function to build")
async_func.wait_for_completion()

# submit 20 jobs to the function
print("submitting jobs")
jobs = async_func.map((i,) for i in range(20))

# wait for jobs, handling each as it completes
shapes = {}
for job in async_func.as_completed(jobs):
    if job.status == JobStatus.SUCCESS:
        print(np.array(job.result()).shape)
        shapes[job.args[0]] = np.array(job.result()).shape
    else:
        print(job.status)
        print(job.error_reason)
        print(job.log())

wrong = [i for i in range(20) if shapes.get(i, (None,))[0] != i or (i and shapes[i] != (i, 16, 16))]
if wrong:
    sys.exit("jobs %s did not return an image of that many bands" % wrong)
async_func.delete()
