# Seed 000, "Job Results": a ComputeResult with tags, read as a blob and found through the blob search.
import sys

from spool_client import Blob, ComputeResult, Function


def hello(i):
    return ComputeResult("hello {}".format(i), tags=["hello"])


async_func = Function(
    hello,
    name="my-compute-hello",
    image="python%d.%d:latest" % sys.version_info[:2],
    cpus=0.25,
    memory=512,
    maximum_concurrency=1,
    timeout=600,
    retry_count=0,
)
async_func.save()

job = async_func(5)
job.wait_for_completion()
blob = job.result_blob()
print(blob.data())
print(blob.tags)

# the results of this function that carry the tag, from the blob search
search = Blob.search().filter(
    Blob.name.prefix(f"{async_func.id}/"),
).filter(
    Blob.tags == "hello"
)
found = []
for result in search:
    print(result.data())
    print(result.tags)
    found.append(result.job_id)

if blob.data() != b'"hello 5"' or blob.tags != ["hello"] or found != [job.id]:
    sys.exit("expected the blob of job %s tagged hello, got %r %r and found %r" % (job.id, blob.data(), blob.tags,
                                                                                 found))
async_func.delete(delete_results=True)
