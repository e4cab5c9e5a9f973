# gen_pickle.py writes cifar_py3_proto2.pickle and cifar_py3_proto4.pickle:
# a 3-image CIFAR-10 batch dict as Python 3 pickles it (protocols 2 and 4),
# for package data's pickle reader. numpy is not needed: stand-in classes
# reduce exactly as numpy.ndarray and numpy.dtype do.
#   python3 testdata/data/gen_pickle.py testdata/data
import os, pickle, sys, tempfile

stub = tempfile.mkdtemp()
os.makedirs(os.path.join(stub, "numpy", "core"))
open(os.path.join(stub, "numpy", "__init__.py"), "w").write('''
class dtype:
    def __init__(self, s): self.s = s
    def __reduce__(self):
        return (dtype, (self.s, False, True), (3, '|', None, None, None, -1, -1, 0))
class ndarray:
    def __init__(self, shape, raw): self.shape, self.raw = shape, raw
    def __reduce__(self):
        from numpy.core.multiarray import _reconstruct
        return (_reconstruct, (ndarray, (0,), b'b'), (1, self.shape, dtype('u1'), False, self.raw))
''')
open(os.path.join(stub, "numpy", "core", "__init__.py"), "w").close()
open(os.path.join(stub, "numpy", "core", "multiarray.py"), "w").write("def _reconstruct(*a): pass\n")
sys.path.insert(0, stub)
from numpy import ndarray

n = 3
raw = bytes((i * 7 + c + (c // 1024) * 85) % 256 for i in range(n) for c in range(3072))
d = {b'batch_label': b'testing batch 1 of 1', b'labels': [3, 8, 9],
     b'data': ndarray((n, 3072), raw), b'filenames': [b'a.png', b'b.png', b'c.png']}
for proto in (2, 4):
    with open(os.path.join(sys.argv[1], 'cifar_py3_proto%d.pickle' % proto), 'wb') as f:
        f.write(pickle.dumps(d, protocol=proto))
