"""The scan as a straight sequence of stages: prepare, fit, detect, assemble; reuse, and the run
into an output folder."""
