"""Ensembles of the coupled model: parameter sampling, the daily stepper, chunked execution
(in-process, local processes, Dask), streaming aggregation and resumable run directories."""
