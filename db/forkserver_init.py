"""Imported by the forkserver process only (db/pool.py preloads it): the
forkserver, and through their own death signal the workers it forks, die with
the ingest run that started it, kill -9 and the OOM killer included.

Nothing else may import this module: it would tie the importing process's
life to its parent's (a shell, cron).
"""
from db.worker import die_with_parent

die_with_parent()
