#!/usr/bin/env python3
"""One cache for Python tools and Lumina Studio, both ways, against the mock Hub:
- huggingface_hub.snapshot_download fills cache A: `lumina-cli info` opens it, and our download finds
  everything there (nothing fetched);
- our download fills cache B: scan_cache_dir reports it without warnings, try_to_load_from_cache finds
  every file, and `lumina-cli info` opens it;
- a cache half-filled by huggingface_hub (some files, plus a partial file it left) is completed by ours
  without fetching again what is there.

Mutation check (docs/hub.md): naming LFS blobs by their git SHA-1 instead of their SHA-256 (RemoteFile::etag
returning `blobId.empty() ? sha256 : blobId`) fails all three tests (blobs huggingface_hub wrote are not found,
the verification against the name fails)."""
import json
import os
import unittest

from huggingface_hub import hf_hub_download, scan_cache_dir, snapshot_download, try_to_load_from_cache

from hub_test_support import TINY, MockHub, check_blobs, cli_env, new_cache, repo_folder, run_cli

PIPELINE_FILES = None


class InteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = MockHub(big_mb=1)
        os.environ["HF_ENDPOINT"] = cls.hub.url
        os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
        os.environ.pop("HF_HUB_OFFLINE", None)
        cls.pipeline_files = sorted(p for p in cls.hub.repos[TINY].files
                                    if not p.endswith((".bin", ".onnx", ".md")))

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def setUp(self):
        self.hub.reset()
        self.cache = new_cache(self)
        self.env = cli_env(self.hub, self.cache)

    def test_huggingface_hub_cache_is_opened_and_reused(self):
        path = snapshot_download(TINY, cache_dir=self.cache, endpoint=self.hub.url, token=False)
        self.assertTrue(os.path.isdir(path))
        rc, out, err = run_cli(["info", "--model", TINY, "--json"], self.env)
        self.assertEqual(rc, 0, err)
        self.assertTrue(json.loads(out)["usable"])
        self.hub.reset()
        rc, out, err = run_cli(["download", TINY, "--json"], self.env)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["fetched_bytes"], 0)
        self.assertEqual(self.hub.served(), 0)

    def test_our_cache_is_read_by_huggingface_hub(self):
        rc, out, err = run_cli(["download", TINY, "--json"], self.env)
        self.assertEqual(rc, 0, err)
        commit = json.loads(out)["commit"]
        info = scan_cache_dir(self.cache)
        self.assertEqual(list(info.warnings), [])
        repos = {r.repo_id: r for r in info.repos}
        self.assertIn(TINY, repos)
        revisions = list(repos[TINY].revisions)
        self.assertEqual([r.commit_hash for r in revisions], [commit])
        self.assertEqual(set(revisions[0].refs), {"main"})
        self.assertEqual(sorted(str(f.file_path.relative_to(revisions[0].snapshot_path))
                                for f in revisions[0].files), self.pipeline_files)
        for path in self.pipeline_files:
            found = try_to_load_from_cache(TINY, path, cache_dir=self.cache)
            self.assertIsInstance(found, str, path)
            with open(found, "rb") as f:
                self.assertEqual(f.read(), self.hub.repos[TINY].files[path].data)
        # huggingface_hub itself finds nothing to fetch for these files.
        self.hub.reset()
        for path in self.pipeline_files:
            hf_hub_download(TINY, path, cache_dir=self.cache, endpoint=self.hub.url, token=False)
        self.assertEqual(self.hub.served(), 0)
        rc, out, err = run_cli(["info", "--model", TINY], self.env)
        self.assertEqual(rc, 0, err)

    def test_half_filled_cache_is_completed_without_refetching(self):
        have = ["model_index.json", "transformer/diffusion_pytorch_model.safetensors", "vae/config.json"]
        for path in have:
            hf_hub_download(TINY, path, cache_dir=self.cache, endpoint=self.hub.url, token=False)
        # A partial file huggingface_hub leaves when it is killed: a prefix of the content.
        vae = self.hub.repos[TINY].files["vae/diffusion_pytorch_model.safetensors"]
        blobs = os.path.join(repo_folder(self.cache, TINY), "blobs")
        with open(os.path.join(blobs, vae.sha256 + ".0a1b2c3d.incomplete"), "wb") as f:
            f.write(vae.data[:100_000])
        self.hub.reset()
        rc, out, err = run_cli(["download", TINY, "--json"], self.env)
        self.assertEqual(rc, 0, err)
        for path in have:
            self.assertEqual(self.hub.served(path), 0, path)
        self.assertEqual(self.hub.served(vae.path), vae.size - 100_000)
        check_blobs(self, self.cache, TINY)
        self.assertEqual(list(scan_cache_dir(self.cache).warnings), [])
        rc, out, err = run_cli(["info", "--model", TINY], self.env)
        self.assertEqual(rc, 0, err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
