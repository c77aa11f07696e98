import ipywidgets as w
from quorum_rules import aurora_group

from labkit.aurora import widgets
from labkit.aurora.quorum_explorer import QuorumExplorer
from labkit.cache.eviction.eviction_explorer import EvictionExplorer
from labkit.explorer import NOT_RUN_YET, ExplorerBox


def test_where_it_cannot_be_drawn_an_explorer_asks_for_a_run():
    bundle = ExplorerBox([w.Button()])._repr_mimebundle_()
    assert bundle["text/plain"] == NOT_RUN_YET
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_every_explorer_is_shown_in_the_box(monkeypatch):
    monkeypatch.setattr(widgets, "describe_endpoint", lambda name: f"{name} → node")
    for explorer in (widgets.endpoint_explorer(), QuorumExplorer(aurora_group()).widget, EvictionExplorer(runner=None).widget):
        assert isinstance(explorer, ExplorerBox)
