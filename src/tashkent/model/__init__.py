"""The coupled crisis–mediation model. Each mechanism is a module of pure functions of
(state arrays, parameter arrays, uniforms): no files, no CLI, no global random state. Arrays have
shape [runs] (or [parties, runs], [mediators, parties, runs]); the stepper in `tashkent.sim`
composes them one day at a time."""
