# Seed 000, "Job Results": a Serializable numpy array returned by the job and read back with cast_type.
import io
import sys

import numpy as np

from spool_client import Function, Serializable


class SerializableArray(Serializable):
    def __init__(self, value: np.ndarray):
        self.value = value

    def serialize(self):
        memfile = io.BytesIO()
        np.save(memfile, self.value)
        return memfile.getvalue()

    @classmethod
    def deserialize(cls, value):
        memfile = io.BytesIO(value)
        memfile.seek(0)
        return cls(np.load(memfile))


def hello(i):
    return SerializableArray(np.array([i, i + 1, i + 2]))


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
array = job.result(cast_type=SerializableArray)
print(array)
print(array.value)

if not isinstance(array, SerializableArray) or array.value.tolist() != [5, 6, 7]:
    sys.exit("expected SerializableArray([5, 6, 7]), got %r" % (array,))
async_func.delete(delete_results=True)
