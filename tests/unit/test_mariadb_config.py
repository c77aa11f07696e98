"""The MariaDB writer's standing configuration: what a flashback of its binary log needs."""
from labkit.services.mariadb import DAEMONS


def test_the_binlog_logs_whole_rows_so_a_flashback_can_invert_them():
    config = DAEMONS[0]._config()
    assert "binlog-format = ROW" in config
    assert "binlog-row-image = FULL" in config
