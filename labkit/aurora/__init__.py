"""The Aurora part: the experiments and models behind its chapters and labs (quorum storage,
replica lag, failover and durability, read scaling, backups and recovery, maintenance, a secondary
Region)."""
