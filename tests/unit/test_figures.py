import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from labkit.figures import label_log_axis  # noqa: E402


def test_a_log_axis_of_about_a_decade_gets_plain_labels_at_1_2_and_5():
    fig, ax = plt.subplots()
    ax.plot([0.2, 3.0], [1, 2])
    ax.set_xscale("log")
    label_log_axis(ax.xaxis)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert {"0.2", "0.5", "1", "2"} <= set(labels), labels
    assert not any("10^" in l or "times" in l for l in labels), labels
    plt.close(fig)
