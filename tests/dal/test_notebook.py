"""The example notebook runs top to bottom against a warehouse (and draws its figure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tecton.dal import Mantle
from tests.dal import fake_warehouse

nbclient = pytest.importorskip(
    "nbclient", reason="dev dependencies nbclient + ipykernel + matplotlib"
)
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("matplotlib")

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "continuous_series.ipynb"


@pytest.mark.slow
def test_notebook_runs(tecton_home, tmp_path, monkeypatch):
    fake_warehouse.build(tecton_home / "warehouse.duckdb")
    figure = tmp_path / "continuous.png"
    monkeypatch.setenv("TECTON_NOTEBOOK_MARKET", "CRUDE")
    monkeypatch.setenv("TECTON_NOTEBOOK_FIGURE", str(figure))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    text = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    rolls = len(Mantle.select("futures.roll_schedule", markets=["CRUDE"]))
    assert "rolls, " in text and f"{rolls} rolls" in text
    assert figure.stat().st_size > 10_000
    Mantle.close()
