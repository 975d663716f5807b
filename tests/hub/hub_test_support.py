"""Shared set-up of the downloader tests: the mock Hub (tests/python/mock_hub.py) in this process, serving
the tiny pipeline fixture (make_tiny_pipeline.py) plus files a pipeline download must skip, and a synthetic
pipeline with one large weights file; `lumina-cli` run against it with its own cache folder."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.join(os.environ.get("LUMINA_SOURCE_DIR", ""), "tests", "python"))
import mock_hub  # noqa: E402

CLI = os.environ.get("LUMINA_CLI", "lumina-cli")
TINY = "test/tiny-lumina"
BIG = "test/big-lumina"
SINGLE = "test/single-lumina2"  # a single-file repository (Comfy-Org's Lumina-Image 2.0 repackaging layout)
TOKEN = "hf_test_secret_token_42"


def tiny_fixture():
    return os.path.join(os.environ["LUMINA_FIXTURES_DIR"], "io_tiny_pipeline")


def single_file_repo():
    """The tiny Lumina 2 single files (make_lumina2_single_file_pipeline_fixtures.py) where Comfy-Org keeps them,
    beside a pickle copy and a README, and no model_index.json."""
    folder = os.path.join(os.environ["LUMINA_FIXTURES_DIR"], "lumina2_single_files")
    files = []
    for name, path in (("all_in_one.safetensors", "all_in_one/lumina_2.safetensors"),
                       ("vae.safetensors", "split_files/vae/ae.safetensors")):
        with open(os.path.join(folder, name), "rb") as fh:
            files.append(mock_hub.RepoFile(path, fh.read()))
    return files + [mock_hub.RepoFile("README.md", b"# single files\n"),
                    mock_hub.RepoFile("all_in_one/lumina_2.ckpt", b"\x80\x02pickle" * 64)]


class MockHub:
    def __init__(self, big_mb=16):
        repos = {TINY: mock_hub.Repo(TINY, mock_hub.load_folder(TINY, tiny_fixture()) + mock_hub.extras()),
                 BIG: mock_hub.Repo(BIG, mock_hub.synthetic_pipeline(big_mb)),
                 SINGLE: mock_hub.Repo(SINGLE, single_file_repo())}
        self.hub, self.cdn, self.state = mock_hub.start(repos)
        self.url = f"http://127.0.0.1:{self.hub.server_address[1]}"
        self.repos = repos

    def close(self):
        for s in (self.hub, self.cdn):
            s.shutdown()
            s.server_close()

    def faults(self, **faults):
        with self.state.lock:
            self.state.faults = faults

    def reset(self):
        self.state.reset()

    def served(self, path=None):
        with self.state.lock:
            if path is None:
                return sum(self.state.bytes_served.values())
            return self.state.bytes_served.get(path, 0)

    def requests(self):
        with self.state.lock:
            return list(self.state.requests)


def cli_env(hub, cache, **extra):
    env = dict(os.environ)
    for k in ("HF_HUB_OFFLINE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HOME", "HF_TOKEN_PATH"):
        env.pop(k, None)
    env.update({"HF_ENDPOINT": hub.url, "HF_HUB_CACHE": cache, "HF_TOKEN": TOKEN,
                "HF_HOME": os.path.join(cache, "..", "hf_home"),
                "LUMINA_DATA_DIR": os.path.join(cache, "..", "lumina_data"),
                "LUMINA_HUB_STALL_SECONDS": "2", "LUMINA_HUB_BACKOFF_MS": "100", "LUMINA_HUB_ATTEMPTS": "4",
                "HF_HUB_DISABLE_TELEMETRY": "1", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_cli(args, env, timeout=120):
    p = subprocess.run([CLI] + args, env=env, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def repo_folder(cache, repo_id):
    return os.path.join(cache, "models--" + repo_id.replace("/", "--"))


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def git_sha1_file(path):
    with open(path, "rb") as f:
        data = f.read()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def check_blobs(testcase, cache, repo_id):
    """Every blob in the cache is exactly the content its name says; returns the names of the blobs."""
    blobs = os.path.join(repo_folder(cache, repo_id), "blobs")
    names = []
    if not os.path.isdir(blobs):
        return names
    for name in os.listdir(blobs):
        if name.endswith((".lumina-partial", ".lumina-partial.json", ".incomplete")):
            continue
        path = os.path.join(blobs, name)
        digest = sha256_file(path) if len(name) == 64 else git_sha1_file(path)
        testcase.assertEqual(digest, name, f"blob {name} holds other content")
        names.append(name)
    return names


def new_cache(testcase):
    root = tempfile.mkdtemp(prefix="hubtest-")
    testcase.addCleanup(lambda: subprocess.run(["rm", "-rf", root]))
    return os.path.join(root, "cache")
