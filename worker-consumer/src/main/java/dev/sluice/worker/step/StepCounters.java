package dev.sluice.worker.step;

/** What a step reports as it goes (the worker's statistics and metrics implement it). */
public interface StepCounters {
  void stepMillis(long millis, int batchSize);

  void requestServed();

  void duplicateDropped();

  void recomputeRequested();

  void recomputeRan();
}
