"""The frozen held-out sample for judging `trialqa check`: the 300 corpus studies whose sha256(NCT id) is smallest.

Run from the repository root:  .venv/bin/python evals/check_sample/select.py [--extract DIR]
Prints the ids (ids.txt is this output, committed); with --extract, writes those studies' XML
from the shared corpus zip into DIR, for `trialqa check DIR`.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import zipfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "records" / "corpus" / "ctgov-xml-corpus.zip"
SAMPLE_SIZE = 300


def sample_ids(names: list[str], size: int = SAMPLE_SIZE) -> list[str]:
    """The `size` NCT ids (from file names NCTnnnnnnnn.xml) with the smallest sha256 hex digest of the id."""
    ids = sorted({m[0] for name in names if (m := re.search(r"NCT\d{8}", Path(name).name))})
    return sorted(sorted(ids, key=lambda i: hashlib.sha256(i.encode()).hexdigest())[:size])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--extract", type=Path, help="write the sample's XML files here")
    args = parser.parse_args()
    with zipfile.ZipFile(CORPUS) as archive:
        names = [n for n in archive.namelist() if n.endswith(".xml")]
        chosen = sample_ids(names)
        if args.extract:
            args.extract.mkdir(parents=True, exist_ok=True)
            wanted = set(chosen)
            for name in names:
                if Path(name).stem in wanted:
                    (args.extract / Path(name).name).write_bytes(archive.read(name))
    print("\n".join(chosen))


if __name__ == "__main__":
    main()
