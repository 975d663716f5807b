"""Caption attention masks for the transformer fixtures (tests/python/make_next_dit_fixtures.py,
make_lumina2_transformer_fixtures.py): one row per prompt, `valid` tokens kept on the given side."""
import torch


def make_mask(length, padding):
    """padding: [(side, valid), ...] with side "right" (tokens first, padding after) or "left"."""
    rows = []
    for side, valid in padding:
        row = torch.zeros(length, dtype=torch.int64)
        if side == "right":
            row[:valid] = 1
        else:
            row[length - valid:] = 1
        rows.append(row)
    return torch.stack(rows)
