package dev.sluice.worker.fetch;

import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.topic.Topic;
import dev.sluice.schemas.serde.UnreadableRecordException;
import dev.sluice.worker.commit.OffsetCommitter;
import dev.sluice.worker.commit.OffsetTracker;
import dev.sluice.worker.outbox.Outbox;
import dev.sluice.worker.outbox.Rewind;
import dev.sluice.worker.schedule.ReadyQueue;
import dev.sluice.worker.status.WorkerHealth;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetch thread, the only one that touches the stage's consumer: polls the worker's lanes, decodes
 * records into the {@link ReadyQueue} (unreadable bytes go to the DLQ), pauses every lane while
 * {@code max_queue_size} records wait and resumes below, commits what became safe, and handles
 * rebalances: a lane that moves away is first finished — its records in compute and in the outbox
 * acknowledged, then committed — so its next owner starts exactly where this worker stopped.
 */
public final class FetchLoop implements Rewind {
  private static final Logger LOG = LoggerFactory.getLogger(FetchLoop.class);
  private static final Duration POLL = Duration.ofMillis(20);
  private static final long REVOKE_WAIT_MS = 10_000;

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final ReadyQueue ready;
  private final OffsetTracker tracker;
  private final OffsetCommitter committer;
  private final Outbox outbox;
  private final WorkerHealth health;
  private final AtomicLong epoch;
  private final Consumer<Collection<Integer>> lanesLost;
  private final Runnable rewound;
  private final int maxQueueSize;
  private final Deserializer<StageWork> decoder;
  private final Set<Integer> lanes = ConcurrentHashMap.newKeySet();
  private final AtomicLong pauses = new AtomicLong();
  private final Thread thread;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile boolean draining;
  private volatile boolean abandoning;
  private volatile CountDownLatch rewindDone;
  private boolean paused;

  /**
   * @param lanesLost told (on this thread) of lanes that moved away, to release their hot KV
   * @param rewound told (on this thread) after a rewind, to drop the hot KV and the results memory
   */
  public FetchLoop(KafkaConsumer<String, byte[]> consumer, Topic<String, StageWork> topic, ReadyQueue ready, OffsetTracker tracker,
      OffsetCommitter committer, Outbox outbox, WorkerHealth health, AtomicLong epoch,
      Consumer<Collection<Integer>> lanesLost, Runnable rewound, int maxQueueSize, String workerId) {
    this.consumer = consumer;
    this.topic = topic.name();
    this.decoder = topic.valueSerde().deserializer();
    this.ready = ready;
    this.tracker = tracker;
    this.committer = committer;
    this.outbox = outbox;
    this.health = health;
    this.epoch = epoch;
    this.lanesLost = lanesLost;
    this.rewound = rewound;
    this.maxQueueSize = maxQueueSize;
    this.thread = new Thread(this::run, "sluice-" + workerId + "-fetch");
    this.thread.setDaemon(true);
  }

  public void start() {
    consumer.subscribe(List.of(topic), new Rebalance());
    thread.start();
  }

  /** Lanes (partitions of the stage topic) owned now. */
  public Set<Integer> lanes() {
    return Set.copyOf(lanes);
  }

  /** How often every lane was paused because max_queue_size records were waiting. */
  public long pauses() {
    return pauses.get();
  }

  /** Stop fetching new records (a graceful drain has begun); what is queued still runs. */
  public void drain() {
    draining = true;
  }

  /**
   * Stops the thread: graceful commits what is finished and leaves the group; otherwise (a crash in
   * tests) nothing more is committed. Either way the group is left, so lanes move at once.
   */
  public void stop(boolean graceful) {
    abandoning = !graceful;
    running = false;
    consumer.wakeup();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Asks the fetch thread to go back to the committed offsets, and waits until it has. No
   * {@code consumer.wakeup()}: the thread leaves every poll within {@link #POLL} and takes the rewind at
   * the top of its loop. A wakeup would also hit the thread when it is not in poll: its next blocking
   * call, the rewind's own {@code committed()}, then threw WakeupException and the fetch thread died
   * (the worker left its group and its requests stalled, seen once in ExactlyOnceFaultTest in CI).
   */
  @Override
  public void rewind() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    rewindDone = done;
    while (!done.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      if (!thread.isAlive()) {
        return;
      }
    }
  }

  private void run() {
    try {
      while (running && !health.failed()) {
        try {
          if (rewindDone != null) {
            doRewind();
          }
          for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
            accept(r);
          }
          applyBackPressure();
          committer.afterPoll(consumer);
        } catch (WakeupException e) {
          // stop() woke the consumer: whichever blocking call it interrupted, the loop's condition ends it;
          // an interrupted rewind is simply done again (it only seeks to the committed offsets)
        }
      }
    } catch (RuntimeException | Error e) {
      health.fail("the fetch thread", e);
    } finally {
      close();
      stopped.countDown();
    }
  }

  private void accept(ConsumerRecord<String, byte[]> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    tracker.polled(tp, r.offset());
    try {
      ready.addAll(List.of(new PolledRecord(r, decoder.deserialize(r.topic(), r.value()), epoch.get())));
    } catch (UnreadableRecordException e) {
      // Only a foreign producer can put garbage on a stage topic; there is no request to answer,
      // so the bytes go to the DLQ with the reason (never silently dropped).
      LOG.warn("unreadable record {}-{}@{} sent to the DLQ: {}", r.topic(), r.partition(), r.offset(), e.reason());
      outbox.deadLetter(new PolledRecord(r, null, epoch.get()), e.reason());
    }
  }

  private void applyBackPressure() {
    boolean full = draining || ready.size() >= maxQueueSize;
    if (!paused && full) {
      consumer.pause(consumer.assignment());
      paused = true;
      if (!draining) {
        pauses.incrementAndGet();
      }
    } else if (paused && !full) {
      consumer.resume(consumer.paused());
      paused = false;
    }
  }

  /** Back to the committed offsets: a new epoch, nothing queued, nothing tracked. */
  private void doRewind() {
    epoch.incrementAndGet();
    ready.clear();
    tracker.forgetAll();
    Set<TopicPartition> assigned = consumer.assignment();
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
    for (TopicPartition tp : assigned) {
      OffsetAndMetadata om = committed.get(tp);
      if (om != null) {
        consumer.seek(tp, om.offset());
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
    }
    rewound.run();
    CountDownLatch done = rewindDone;
    rewindDone = null;
    done.countDown();
  }

  private void close() {
    try {
      if (!abandoning) {
        committer.commitNow(consumer);
      }
      consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
          .withTimeout(Duration.ofSeconds(10)));
    } catch (RuntimeException e) {
      LOG.warn("error while leaving the group: {}", e.toString());
    }
    if (rewindDone != null) {
      rewindDone.countDown();
    }
  }

  /** Runs inside poll on the fetch thread. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      if (!abandoning && !health.failed()) {
        try {
          int queued = ready.removePartitions(partitions);
          if (!tracker.awaitFinished(partitions, queued, REVOKE_WAIT_MS) || !outbox.awaitIdle(REVOKE_WAIT_MS)) {
            LOG.warn("lanes {} move away with steps unfinished; their next owner re-runs them", lanes(partitions));
          }
          committer.commitNow(consumer);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      forget(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      partitions.forEach(tp -> lanes.add(tp.partition()));
      if (paused) {
        consumer.pause(partitions);
      }
      health.ready();
    }

    private void forget(Collection<TopicPartition> partitions) {
      ready.removePartitions(partitions);
      tracker.forget(partitions);
      List<Integer> lost = lanes(partitions);
      lost.forEach(lanes::remove);
      lanesLost.accept(lost);
    }

    private List<Integer> lanes(Collection<TopicPartition> partitions) {
      return partitions.stream().map(TopicPartition::partition).toList();
    }
  }
}
