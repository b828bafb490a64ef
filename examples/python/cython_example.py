# Seed 000, "Cython Code" (scripts/cython_example.py): a .pyx module compiled by the build, called from a wrapper.
import sys

from spool_client import Function


def fib(n):
    from my_package import cython_module

    return {"fib": cython_module.fib(n), "compiled": not cython_module.__file__.endswith(".pyx")}


print("creating function")
async_func = Function(
    fib,
    name="my-cython-example",
    image="python%d.%d:latest" % sys.version_info[:2],
    include_modules=["my_package"],
    cpus=1,
    memory=1024,
    maximum_concurrency=1,
    timeout=600,
    retry_count=0,
)
async_func.save()

print("submitting a job")
job = async_func(40)

print("waiting for the job to complete")
job.wait_for_completion()
result = job.result()
print(result)
print(job.log())

if result != {"fib": 102334155, "compiled": True}:
    print(async_func.build_log())
    sys.exit("expected fib(40) = 102334155 from the compiled module, got %r" % (result,))
async_func.delete()
