package dev.sluice.worker.schedule;

import dev.sluice.model.ComputeThreads;
import dev.sluice.schemas.StageWork;
import dev.sluice.worker.FaultInjection;
import dev.sluice.worker.fetch.PolledRecord;
import dev.sluice.worker.outbox.Outbox;
import dev.sluice.worker.outbox.OutboxBatch;
import dev.sluice.worker.status.WorkerHealth;
import dev.sluice.worker.step.StepExecutor;
import dev.sluice.worker.step.StepResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The compute thread: forms the next batch from whatever is ready, runs it, hands the outputs to
 * the outbox and goes straight on — it never waits for the broker.
 *
 * <p>The scheduling rule (continuous batching over micro-batches). With S pipeline stages, a stage
 * that runs every sequence it serves in one batch leaves the other S-1 stages idle while it works.
 * So a batch holds at most {@code ceil(expected / S)} records, where {@code expected} is the number
 * of sequences this stage is serving now (hot sequences used in the last second, or more distinct
 * sequences waiting): the sequences then circulate as S micro-batches, one in each stage. Within
 * that cap (and {@code max_batch_size}), prefill chunks and decode steps of different sequences go
 * into the same batch, at most one record per sequence (its steps run in order). When fewer records
 * than the cap are ready, the stage waits at most {@code batching_window_ms} for the rest of the
 * micro-batch — never for another micro-batch. A sequence decoding alone therefore runs at once.
 */
public final class Scheduler {
  private static final long IDLE_WAIT_MS = 50;
  private static final long ACTIVE_WINDOW_MS = 1000;

  private final ReadyQueue ready;
  private final StepExecutor executor;
  private final Outbox outbox;
  private final WorkerHealth health;
  private final AtomicLong epoch;
  private final FaultInjection faults;
  private final Consumer<StepResult> afterStep;
  private final int maxBatchSize;
  private final int batchingWindowMs;
  private final int stages;
  private final long idleTimeoutMs;
  private final int threads;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile int activeSequences;
  private long lastIdleSweep = System.currentTimeMillis();

  /**
   * @param stages S, the pipeline depth the micro-batches are cut for
   * @param threads PyTorch threads of the compute thread (0 = the engine's default)
   * @param afterStep told of each step's result on the compute thread (statistics, KV events)
   */
  public Scheduler(ReadyQueue ready, StepExecutor executor, Outbox outbox, WorkerHealth health, AtomicLong epoch,
      FaultInjection faults, Consumer<StepResult> afterStep, int maxBatchSize, int batchingWindowMs, int stages,
      long idleTimeoutMs, int threads, String workerId) {
    this.ready = ready;
    this.executor = executor;
    this.outbox = outbox;
    this.health = health;
    this.epoch = epoch;
    this.faults = faults;
    this.afterStep = afterStep;
    this.maxBatchSize = maxBatchSize;
    this.batchingWindowMs = batchingWindowMs;
    this.stages = Math.max(1, stages);
    this.idleTimeoutMs = idleTimeoutMs;
    this.threads = threads;
    this.thread = new Thread(this::run, "sluice-" + workerId + "-compute");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** Runs {@code task} on the compute thread before its next step (hot KV belongs to that thread). */
  public void post(Runnable task) {
    tasks.add(task);
    ready.wakeUp();
  }

  /** Sequences with hot KV, as of the last step. */
  public int activeSequences() {
    return activeSequences;
  }

  /** Finishes the step in hand and stops; true when the thread ended within the timeout. */
  public boolean stop(long timeoutMs) {
    running = false;
    ready.wakeUp();
    try {
      thread.join(timeoutMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }

  private void run() {
    try {
      ComputeThreads.use(threads);
      while (running && !health.failed()) {
        runTasks();
        List<PolledRecord> batch = nextBatch();
        if (!batch.isEmpty() && running) {
          step(batch);
        }
        housekeeping();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      health.fail("the compute thread", e);
    }
  }

  /** The records of the next step, per the rule above; empty when nothing is ready. */
  List<PolledRecord> nextBatch() throws InterruptedException {
    if (ready.awaitSize(1, IDLE_WAIT_MS) == 0) {
      return List.of();
    }
    int expected = Math.max(executor.hot().recentlyUsed(System.currentTimeMillis() - ACTIVE_WINDOW_MS),
        ready.sequences());
    int cap = Math.max(1, Math.min(maxBatchSize, (expected + stages - 1) / stages));
    if (batchingWindowMs > 0 && ready.size() < cap) {
      ready.awaitSize(cap, batchingWindowMs);
    }
    List<PolledRecord> batch = new ArrayList<>(ready.take(cap));
    long current = epoch.get();
    batch.removeIf(r -> r.epoch() != current); // read before a rewind: read again since
    return batch;
  }

  private void step(List<PolledRecord> batch) {
    runTasks(); // posted before these records were read (a rewind, lanes lost): they come first
    long receivedAt = System.currentTimeMillis();
    List<StageWork> works = batch.stream().map(PolledRecord::work).toList();
    StepResult result = executor.run(works, receivedAt);
    outbox.submit(new OutboxBatch(batch, result.outgoing(), batch.get(0).epoch()));
    activeSequences = executor.hot().size();
    afterStep.accept(result);
    if (faults.killComputeThread()) {
      throw new IllegalStateException("injected compute thread failure");
    }
  }

  private void runTasks() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      task.run();
    }
  }

  private void housekeeping() {
    long now = System.currentTimeMillis();
    if (now - lastIdleSweep > 1000) {
      executor.hot().releaseIdle(now, idleTimeoutMs);
      lastIdleSweep = now;
      activeSequences = executor.hot().size();
    }
  }
}
