#!/usr/bin/env bash
# Safetensors read throughput, all on the same file in one run (page cache warm after the first pass):
#   cat FILE > /dev/null, lumina-cli bench --component safetensors (copy and mapped),
#   Python safetensors.torch.load_file. The big file is deleted at the end.
#   tests/bench/io_bench_safetensors.sh [GB] [BUILD_DIR] [FILE]
set -euo pipefail
gb=${1:-4}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$root/build-io}
file=${3:-$build/bench-io-big.safetensors}
python=${LUMINA_PYTHON:-$root/.venv/bin/python}
cli="$build/bin/lumina-cli"
trap 'rm -f "$file"' EXIT

echo "== machine"
lscpu | grep -E 'Model name|^CPU\(s\)' || true
free -g | head -2
df -h "$(dirname "$file")" | tail -1

echo "== generate ${gb} GB"
"$cli" bench --component safetensors --file "$file" --generate-gb "$gb" --repeat 1 --mode mapped >/dev/null
ls -l "$file"

echo "== cat (warm page cache), 3 runs"
for i in 1 2 3; do
    /usr/bin/time -f "cat: %e s" cat "$file" > /dev/null
done
bytes=$(stat -c %s "$file")

echo "== lumina-cli copy"
"$cli" bench --component safetensors --file "$file" --repeat 3 --mode copy
echo "== lumina-cli pread"
"$cli" bench --component safetensors --file "$file" --repeat 3 --mode pread
echo "== lumina-cli mapped"
"$cli" bench --component safetensors --file "$file" --repeat 3 --mode mapped
echo "== python safetensors.torch.load_file"
"$python" - "$file" <<'PY'
import sys, time, json, resource
import torch, safetensors
from safetensors.torch import load_file
path = sys.argv[1]

def timed(fn):
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        d = fn()
        n = sum(t.numel() * t.element_size() for t in d.values())
        times.append(time.perf_counter() - t0)
        del d
    return {"seconds": times, "bytes": n, "gb_per_s": n / min(times) / 1e9}

out = {
    # safetensors >= 0.7 returns tensors over its mapping: nothing is read until used.
    "load_file_lazy_mmap": timed(lambda: load_file(path)),
    # The same, then materialized into owned memory (what a model load has to do).
    "load_file_then_clone": timed(lambda: {k: v.clone() for k, v in load_file(path).items()}),
    # pread backend: tensors in owned memory read with pread(2).
    "load_file_pread": timed(lambda: load_file(path, backend="pread")),
}
out.update({"safetensors": safetensors.__version__, "torch": torch.__version__, "threads": torch.get_num_threads(),
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024})
print(json.dumps(out))
PY
echo "file bytes: $bytes"
