# Seed 000, "Job Searches": cancel_jobs() and delete_jobs() limited by a search over the function's jobs.
import sys

from spool_client import Function, Job, JobStatus


def slow(i):
    import time

    time.sleep(300)
    return i


async_func = Function(
    slow,
    name="my-compute-slow",
    image="python%d.%d:latest" % sys.version_info[:2],
    cpus=0.25,
    memory=512,
    maximum_concurrency=1,
    timeout=600,
    retry_count=0,
)
async_func.save()

jobs = async_func.map((i,) for i in range(5))
print("submitted", len(jobs), "jobs")

# cancel the jobs still pending, then the one that may have started
print("canceled", async_func.cancel_jobs(async_func.jobs.filter(Job.status == JobStatus.PENDING)), "pending jobs")
async_func.cancel_jobs()
async_func.wait_for_completion()

canceled = async_func.jobs.filter(Job.status == JobStatus.CANCELED)
print("canceled jobs:", canceled.count())
n_canceled = canceled.count()

# delete all canceled jobs
deleted = async_func.delete_jobs(async_func.jobs.filter(Job.status == JobStatus.CANCELED))
print("deleted", deleted, "jobs;", async_func.jobs.count(), "left")

if n_canceled != 5 or deleted != 5 or async_func.jobs.count() != 0:
    sys.exit("expected 5 canceled jobs, all deleted")
async_func.delete()
