"""History: the India–Pakistan crisis record, ICB base rates, scoring rules, calibration and the
back-test.

* `record` — the crisis record (`data/crises.csv`, `data/crisis_sources.csv`) and its loader;
* `icb` — reader for the user's ICB v15 files and the mediation base rates;
* `scoring` — proper scoring rules, skill scores, bootstrap intervals;
* `baselines` — what a forecaster sees (`Conditions`), says (`CrisisForecast`), the `Forecaster`
  protocol and the climatology / persistence / uniform baselines;
* `simbank` — replaying a crisis with the simulation model; the shared bank of prior draws;
* `calibrate` — simulated-likelihood calibration and the scenario overlay;
* `model_forecaster` — the model as a `Forecaster`;
* `backtest`, `report`, `commands` — designs and scores, the HTML report, the CLI.
"""
