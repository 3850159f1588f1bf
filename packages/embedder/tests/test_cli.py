"""The faculytics-embed command: embed round trips and model download."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from faculytics_embedder import Embedder
from faculytics_embedder.arrow import read_embeddings
from faculytics_embedder.cli import main
from faculytics_embedder.fingerprint import SIDECAR_NAME


def _summary(out: str) -> tuple[int, int]:
    match = re.search(r"(\d+) from cache, (\d+) computed", out)
    assert match, out
    return int(match.group(1)), int(match.group(2))


@pytest.fixture
def comments_csv(tmp_path) -> Path:
    path = tmp_path / "comments.csv"
    path.write_text(
        "submission_id,comment\n"
        "s-001,Maayo kaayo siya mo explain.\n"
        "s-002,The exam was too difficult.\n"
        "s-003,Magaling magturo si Ma'am.\n"
        "s-004,Maayo kaayo siya mo explain.\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("suffix", [".arrow", ".parquet"])
def test_embed_round_trip_and_second_run_computes_nothing(
    tiny_model, comments_csv, tmp_path, capsys, suffix
):
    out = tmp_path / f"vectors{suffix}"
    argv = [
        "embed",
        str(comments_csv),
        "--text-column",
        "comment",
        "--id-column",
        "submission_id",
        "-o",
        str(out),
        "--model",
        str(tiny_model),
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    assert main(argv) == 0
    assert _summary(capsys.readouterr().out) == (0, 3)  # 4 rows, 3 distinct texts

    table = read_embeddings(out)
    reference = Embedder(tiny_model, use_cache=False)
    assert table.ids == ["s-001", "s-002", "s-003", "s-004"]
    assert table.fingerprint == reference.fingerprint
    assert table.model_name == str(tiny_model)
    expected = reference.encode(table.texts)
    assert table.embeddings.shape == (4, 32)
    assert table.embeddings.tobytes() == expected.tobytes()

    out.unlink()
    assert main(argv) == 0
    assert _summary(capsys.readouterr().out) == (3, 0)  # all hits
    assert read_embeddings(out).embeddings.tobytes() == expected.tobytes()

    assert main([*argv, "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_embed_reports_bad_input_with_status_2(tiny_model, comments_csv, tmp_path, capsys):
    argv = ["embed", str(comments_csv), "--text-column", "body", "-o", str(tmp_path / "o.arrow")]
    assert main([*argv, "--model", str(tiny_model), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "no column 'body'" in err and "'comment'" in err
    assert not (tmp_path / "o.arrow").exists()


def test_download_writes_safetensors_that_embed_the_same(tiny_model, tmp_path, capsys):
    target = tmp_path / "baked"
    assert main(["download", "--model", str(tiny_model), "--to", str(target)]) == 0
    assert "as safetensors" in capsys.readouterr().out
    files = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert "model.safetensors" in files and "modules.json" in files
    assert not [f for f in files if f.endswith((".bin", ".pt", ".pkl", ".pth"))]
    sidecar = json.loads((target / SIDECAR_NAME).read_text())
    baked = Embedder(target, use_cache=False)
    assert baked.fingerprint == sidecar["fingerprint"]
    texts = ["Maayo kaayo siya.", "Fair grading."]
    np.testing.assert_array_equal(
        baked.encode(texts), Embedder(tiny_model, use_cache=False).encode(texts)
    )

    # A non-empty target needs --force.
    assert main(["download", "--model", str(tiny_model), "--to", str(target)]) == 2
    assert "--force" in capsys.readouterr().err


def test_download_refuses_models_needing_remote_code(tiny_model, tmp_path, capsys):
    source = tmp_path / "custom"
    shutil.copytree(tiny_model, source)
    config = json.loads((source / "config.json").read_text())
    config["auto_map"] = {"AutoModel": "modeling_custom.CustomModel"}
    (source / "config.json").write_text(json.dumps(config))
    target = tmp_path / "baked"
    assert main(["download", "--model", str(source), "--to", str(target)]) == 2
    assert "trust_remote_code" in capsys.readouterr().err
    assert not target.exists()


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("faculytics-embed")
    result = subprocess.run(
        [str(script), "embed", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "--text-column" in result.stdout
