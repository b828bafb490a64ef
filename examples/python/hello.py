# Seed 000, "Basic Example": one job of a function defined in this script, with geopandas from the package index.
import sys

from spool_client import Function


def hello(i):
    import geopandas

    print(geopandas)
    return "hello {}".format(i)


print("creating function")
async_func = Function(
    hello,
    name="my-compute-hello",
    image="python%d.%d:latest" % sys.version_info[:2],
    cpus=0.25,
    memory=512,
    maximum_concurrency=1,
    timeout=600,
    retry_count=0,
    requirements=[
        "geopandas",
    ],
)
async_func.save()

# invoke the function
print("submitting a job")
job = async_func(5)

# print the job result and logs
print("waiting for the job to complete")
job.wait_for_completion()
result = job.result()
log = job.log()
print(result)
print(log)

if result != "hello 5" or "module 'geopandas'" not in log:
    sys.exit("unexpected result %r or log without geopandas" % (result,))
async_func.delete()
