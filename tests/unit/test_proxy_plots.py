"""The RDS Proxy labs' figures draw what they are given."""
import matplotlib

matplotlib.use("Agg")

from labkit.proxy import plots, server, storm  # noqa: E402


def _point(path, clients, served):
    use = server.ServerUse(peak_backends=clients, backend_uss=2**20, server_cpu_s=1.0, sessions=served, proxy_cpu_s=0.0)
    return storm.Point(path, clients, 1.0, [0.01] * served, {"sorry, too many clients already": 2}, use)


def test_the_storm_figure_has_a_line_per_path_in_each_panel():
    fig = plots.storm([_point("direct", 10, 5), _point("proxy", 10, 6), _point("direct", 50, 0),
                       _point("proxy", 50, 4)], max_connections=100)
    axes = fig.axes
    assert len(axes) == 4
    assert len(axes[0].get_lines()) == 3  # two paths and the max_connections line
    assert len(axes[1].get_lines()) == 2 and len(axes[2].get_lines()) == 4  # p50 and p99 per path
