from quorum_rules import aurora_group

from labkit.aurora import quorum_explorer


def test_toggles_and_az_buttons_drive_the_model_and_the_panel():
    explorer = quorum_explorer.QuorumExplorer(aurora_group())
    assert all(t.value for t in explorer.toggles.values()) and "Writes possible" in explorer.panel.value
    explorer.toggles["a1"].value = False
    assert not explorer.group.copies["a1"].up and explorer.outcomes[0].action == "fail"
    explorer.az_buttons["c"][0].click()
    assert not explorer.toggles["c1"].value and explorer.toggles["c1"].button_style == "danger"
    assert "AZ+1" in explorer.panel.value and "Writes refused" in explorer.panel.value
    explorer.write_button.click()
    assert not explorer.outcomes[0].ok and explorer.outcomes[0].action == "write"
    explorer.read_button.click()
    assert explorer.outcomes[0].ok


def test_restoring_without_peer_repair_leaves_a_copy_behind_until_a_read():
    explorer = quorum_explorer.QuorumExplorer(aurora_group())
    explorer.repair_on_restore.value = False
    explorer.set_copy("b2", False)
    explorer.write("x")
    explorer.toggles["b2"].value = True
    assert "behind v1" in explorer.panel.value
    assert "read repair" in explorer.read().summary and "behind" not in explorer.panel.value


def test_the_demo_scenario_leaves_something_to_show():
    explorer = quorum_explorer.QuorumExplorer(aurora_group())
    outcomes = explorer.run(quorum_explorer.DEMO_SCENARIO)
    assert [o.ok for o in outcomes] == [True] * 4 and outcomes[-1].value == "written while AZ c was down"
    assert explorer.panel.value.count("<li>") == 4


def test_an_unknown_step_is_named():
    explorer = quorum_explorer.QuorumExplorer(aurora_group())
    try:
        explorer.run([("explode",)])
    except ValueError as exc:
        assert "explode" in str(exc)
    else:
        raise AssertionError("an unknown step was accepted")
