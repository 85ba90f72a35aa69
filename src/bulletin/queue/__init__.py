"""Editions and builds on a job queue: Celery over Redis, for many shows on many machines.

``jobs`` makes a job (the settings and what the job reads, carried in it) and runs one; ``app``
is the Celery app, its task, the per-show lock in Redis, the worker and beat; ``commands`` holds
the bodies of ``bulletin worker``, ``bulletin beat`` and ``--queue``. Nothing outside imports this
package but the command line, inside those commands: building needs no broker, nor Celery.
"""
