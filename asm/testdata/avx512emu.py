#!/usr/bin/env python3
"""Runs the AVX-512 GEMM kernels of a compiled asm test binary in a small
x86 interpreter, for CPUs without AVX-512 (TestAVX512Emulated).

binutils' objdump, independent of the Go assembler, decodes the machine code
of gemm8x24F64AVX512 and gemm8x48F32AVX512; the interpreter executes the
instructions the kernels use on random packed panels and checks every entry
of C against an exactly rounded sum (math.fsum) within
gamma(kc+1)*(|c|+sum|a*b|), every memory access against the operands' bounds
and C's stores against the tile (not the gaps between rows).

Usage: avx512emu.py BINARY NAME=START:END ...
(START and END the code addresses of the kernel NAME, from the Go symbol table)
"""
import math, random, re, struct, subprocess, sys

def disassemble(binary, ranges):
    """Returns the kernels as lines in the format of a `go tool asm -S` listing
    (pc, Go mnemonic, Go operands), which parse reads."""
    out = []
    for name, (addr, end) in ranges.items():
        size = end - addr
        dis = subprocess.run(['objdump', '-d', '--no-show-raw-insn', binary, '--start-address=%#x' % addr,
                              '--stop-address=%#x' % (addr + size)], capture_output=True, text=True, check=True).stdout
        out.append(f"x.{name} STEXT")
        def reg(r):
            r = r.strip().lstrip('%')
            m = re.match(r'zmm(\d+)$', r)
            if m: return 'Z' + m.group(1)
            return {'rax': 'AX', 'rbx': 'BX', 'rcx': 'CX', 'rdx': 'DX', 'rsi': 'SI', 'r8': 'R8', 'r9': 'R9', 'r10': 'R10',
                    'r11': 'R11', 'r12': 'R12'}[r]
        def opnd(o):
            o = o.strip()
            if o.startswith('$'): return '$' + str(int(o[1:], 0))
            m = re.match(r'^(-?0x[0-9a-f]+|\d*)\(%(\w+),%(\w+),(\d)\)$', o)
            if m:
                off = int(m.group(1), 0) if m.group(1) else 0
                return f'{off}({reg(m.group(2))})({reg(m.group(3))}*{m.group(4)})'
            m = re.match(r'^(-?0x[0-9a-f]+|\d*)\(%(\w+)\)$', o)
            if m:
                off = int(m.group(1), 0) if m.group(1) else 0
                if m.group(2) == 'rsp': return f'arg+{off}(FP)'
                return f'{off}({reg(m.group(2))})'
            return reg(o)
        for line in dis.splitlines():
            m = re.match(r'^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$', line)
            if not m: continue
            pc, mn, rest = int(m.group(1), 16) - addr, m.group(2), m.group(3)
            if mn.startswith('j'):
                tgt = int(rest.split()[0], 16) - addr
                out.append(f"\t0x0 {pc} (x)\t{ {'jl':'JLT','jge':'JGE','je':'JEQ','jne':'JNE'}[mn] }\t{tgt}"); continue
            ops = [opnd(o) for o in re.split(r',(?![^()]*\))', rest)] if rest else []
            g = {'mov': 'MOVQ', 'shl': 'SHLQ', 'add': 'ADDQ', 'sub': 'SUBQ', 'cmp': 'CMPQ', 'test': 'TESTQ',
                 'dec': 'DECQ', 'ret': 'RET', 'prefetcht0': 'PREFETCHT0',
                 'prefetcht1': 'PREFETCHT1', 'lea': 'LEAQ'}.get(mn, mn.upper())
            if g == 'CMPQ': ops = ops[::-1]   # AT&T cmp $4,%rcx is Go CMPQ CX, $4
            out.append(f"\t0x0 {pc} (x)\t{g}\t{', '.join(ops)}")
    return out

def parse(lines):
    funcs = {}; cur = None
    for line in lines:
        m = re.match(r'^\S+\.(\w+) STEXT', line)
        if m: cur = m.group(1); funcs[cur] = []; continue
        m = re.match(r'^\t0x[0-9a-f]+ (\d+) \(\S+\)\t(\w+)\t?(.*)$', line.rstrip('\n'))
        if m and cur:
            pc, op, args = int(m.group(1)), m.group(2), m.group(3)
            if op in ('TEXT', 'FUNCDATA', 'PCDATA'): continue
            funcs[cur].append((pc, op, [a.strip() for a in re.split(r',\s*(?![^()]*\))', args)] if args else []))
    return funcs

class Mem:
    def __init__(self): self.regions = []  # (base, bytearray, name, writable-mask)
    def add(self, base, data, name, writable=None):
        self.regions.append((base, data, name, writable))
    def find(self, addr, n, write):
        for base, data, name, wmask in self.regions:
            if base <= addr and addr + n <= base + len(data):
                if write and wmask is not None:
                    for k in range(addr - base, addr - base + n):
                        if not wmask[k]: raise Exception(f"write outside tile in {name} at byte {k}")
                return data, addr - base
        raise Exception(f"access outside any operand: addr {addr:#x} n {n}")
    def read(self, addr, n):
        d, o = self.find(addr, n, False); return bytes(d[o:o+n])
    def write(self, addr, b):
        d, o = self.find(addr, len(b), True); d[o:o+len(b)] = b

def run(prog, args, mem, elem):
    fmt = 'd' if elem == 8 else 'f'; lanes = 64 // elem
    R = {}; Z = {}; flags = None
    pcidx = {pc: i for i, (pc, _, _) in enumerate(prog)}
    def addr(s):
        m = re.match(r'^(-?\d*)\((\w+)\)(?:\((\w+)\*(\d)\))?$', s)
        a = (int(m.group(1)) if m.group(1) else 0) + R[m.group(2)]
        return a + R[m.group(3)]*int(m.group(4)) if m.group(3) else a
    def zget(r): return Z.get(r, [0.0]*lanes)
    def rnd(x): return struct.unpack(fmt, struct.pack(fmt, x))[0]
    i = 0; steps = 0
    while True:
        steps += 1
        if steps > 10**7: raise Exception("runaway")
        pc, op, a = prog[i]; i += 1
        if op == 'MOVQ':
            m = re.match(r'^\w+\+(\d+)\(FP\)$', a[0])
            R[a[1]] = args[int(m.group(1))] if m else R[a[0]]
        elif op == 'SHLQ': R[a[1]] <<= int(a[0][1:])
        elif op == 'ADDQ': R[a[1]] += int(a[0][1:]) if a[0].startswith('$') else R[a[0]]
        elif op == 'SUBQ': R[a[1]] -= int(a[0][1:]); flags = R[a[1]]
        elif op == 'DECQ': R[a[0]] -= 1; flags = R[a[0]]
        elif op == 'CMPQ': flags = R[a[0]] - int(a[1][1:])
        elif op == 'TESTQ': flags = R[a[0]] & R[a[1]]
        elif op in ('JLT', 'JGE', 'JEQ', 'JNE'):
            take = {'JLT': flags < 0, 'JGE': flags >= 0, 'JEQ': flags == 0, 'JNE': flags != 0}[op]
            if take: i = pcidx[int(a[0])]
        elif op == 'LEAQ': R[a[1]] = addr(a[0])
        elif op in ('PREFETCHT0', 'PREFETCHT1'): addr(a[0])
        elif op == 'VPXORQ': Z[a[2]] = [0.0]*lanes
        elif op in ('VMOVUPD', 'VMOVUPS'):
            if a[0].startswith('Z'): mem.write(addr(a[1]), struct.pack('<%d%s' % (lanes, fmt), *zget(a[0])))
            else: Z[a[1]] = list(struct.unpack('<%d%s' % (lanes, fmt), mem.read(addr(a[0]), 64)))
        elif op in ('VBROADCASTSD', 'VBROADCASTSS'):
            Z[a[1]] = [struct.unpack('<' + fmt, mem.read(addr(a[0]), elem))[0]] * lanes
        elif op in ('VFMADD231PD', 'VFMADD231PS'):
            x, y, d = zget(a[0]), zget(a[1]), zget(a[2])
            Z[a[2]] = [rnd(d[k] + x[k]*y[k]) for k in range(lanes)]
        elif op in ('VADDPD', 'VADDPS'):
            m = list(struct.unpack('<%d%s' % (lanes, fmt), mem.read(addr(a[0]), 64)))
            s = zget(a[1]); Z[a[2]] = [rnd(s[k] + m[k]) for k in range(lanes)]
        elif op == 'VZEROUPPER': pass
        elif op == 'RET': return
        else: raise Exception("unknown op " + op)

def check(prog, mr, nr, elem, kc, ldc, rng, tiles=1):
    fmt = 'd' if elem == 8 else 'f'
    rows = tiles*mr
    A = [rng.uniform(-1, 1) for _ in range(rows*kc)]
    B = [rng.uniform(-1, 1) for _ in range(nr*kc)]
    clen = max(rows-1, 0)*ldc + nr
    C0 = [rng.uniform(-1, 1) for _ in range(clen)]
    rt = lambda v: struct.unpack(fmt, struct.pack(fmt, v))[0]
    A = [rt(v) for v in A]; B = [rt(v) for v in B]; C0 = [rt(v) for v in C0]
    mem = Mem()
    ab, bb, cb = 0x10000, 0x200000, 0x400000 + elem*rng.randrange(8)
    mem.add(ab, bytearray(struct.pack('<%d%s' % (len(A), fmt), *A)), "A", [False]*(len(A)*elem))
    mem.add(bb, bytearray(struct.pack('<%d%s' % (len(B), fmt), *B)), "B", [False]*(len(B)*elem))
    wm = [((k // elem) % ldc) < nr and (k // elem) // ldc < rows for k in range(clen*elem)]
    cbuf = bytearray(struct.pack('<%d%s' % (clen, fmt), *C0))
    mem.add(cb, cbuf, "C", wm)
    run(prog, {8: kc, 16: ab, 24: bb, 32: cb, 40: ldc, 48: tiles}, mem, elem)
    C = struct.unpack('<%d%s' % (clen, fmt), bytes(cbuf))
    u = 2.0**-53 if elem == 8 else 2.0**-24
    for i in range(rows):
        r, ii = divmod(i, mr)  # tile r, its row ii: A panel r*mr*kc on
        for j in range(nr):
            s = C0[i*ldc+j] + math.fsum(A[r*mr*kc+p*mr+ii]*B[p*nr+j] for p in range(kc))
            S = abs(C0[i*ldc+j]) + sum(abs(A[r*mr*kc+p*mr+ii]*B[p*nr+j]) for p in range(kc))
            g = (kc+1)*u/(1-(kc+1)*u)
            if abs(C[i*ldc+j] - s) > g*S + 4*u*abs(s):
                raise Exception(f"kc={kc} ldc={ldc} tiles={tiles}: c[{i}][{j}] = {C[i*ldc+j]}, want {s}")
    for k in range(clen):
        if ((k % ldc) >= nr or k // ldc >= rows) and C[k] != C0[k]: raise Exception("gap changed")

def check_inplace(prog, mr, nr, elem, kc, off, rng):
    # The C tile is rows off..off+mr of B itself (ldc = nr), as the
    # triangular solves use it: B must be read in full before C is written.
    fmt = 'd' if elem == 8 else 'f'
    rt = lambda v: struct.unpack(fmt, struct.pack(fmt, v))[0]
    A = [rt(rng.uniform(-1, 1)) for _ in range(mr*kc)]
    B = [rt(rng.uniform(-1, 1)) for _ in range(nr*kc)]
    mem = Mem()
    ab, bb = 0x10000, 0x200000
    mem.add(ab, bytearray(struct.pack('<%d%s' % (len(A), fmt), *A)), "A", [False]*(len(A)*elem))
    wm = [off*nr <= k // elem < (off+mr)*nr for k in range(len(B)*elem)]
    bbuf = bytearray(struct.pack('<%d%s' % (len(B), fmt), *B))
    mem.add(bb, bbuf, "B", wm)
    run(prog, {8: kc, 16: ab, 24: bb, 32: bb + off*nr*elem, 40: nr, 48: 1}, mem, elem)
    out = struct.unpack('<%d%s' % (len(B), fmt), bytes(bbuf))
    u = 2.0**-53 if elem == 8 else 2.0**-24
    for i in range(mr):
        for j in range(nr):
            c0 = B[(off+i)*nr+j]
            s = c0 + math.fsum(A[p*mr+i]*B[p*nr+j] for p in range(kc))
            S = abs(c0) + sum(abs(A[p*mr+i]*B[p*nr+j]) for p in range(kc))
            g = (kc+1)*u/(1-(kc+1)*u)
            if abs(out[(off+i)*nr+j] - s) > g*S + 4*u*abs(s):
                raise Exception(f"in place kc={kc} off={off}: c[{i}][{j}] = {out[(off+i)*nr+j]}, want {s}")

ranges = {}
for arg in sys.argv[2:]:
    name, span = arg.split('=')
    ranges[name] = tuple(int(x, 0) for x in span.split(':'))
funcs = parse(disassemble(sys.argv[1], ranges))
rng = random.Random(1)
for name, mr, nr, elem in [('gemm8x24F64AVX512', 8, 24, 8), ('gemm8x48F32AVX512', 8, 48, 4)]:
    n = 0
    for kc in list(range(0, 10)) + [17, 255, 256, 257]:
        for ldc in (nr, nr + 3):
            check(funcs[name], mr, nr, elem, kc, ldc, rng); n += 1
    # Columns of tiles: the reloads of kc and B, C moving down MR rows,
    # and tiles = 0 writing nothing.
    for kc in (0, 1, 5, 17):
        for tiles in (0, 2, 3):
            check(funcs[name], mr, nr, elem, kc, nr + 3, rng, tiles); n += 1
    for kc in (mr, mr + 1, 17):
        for off in (0, kc - mr):
            check_inplace(funcs[name], mr, nr, elem, kc, off, rng); n += 1
    print(name, "ok,", n, "cases")
