package dev.sluice.results.replay;

import dev.sluice.results.Completion;
import dev.sluice.results.CompletionAssembler;
import dev.sluice.results.ResultDecoder;
import dev.sluice.results.KafkaSettings;
import dev.sluice.results.TokenDelta;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.topic.SluiceTopics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one request's results back from the results topic, for a client that resumes a stream on
 * any ingress instance: every partition from {@code sinceMs} on (the reader does not know which reply
 * partition the request named), the request's events only, de-duplicated and in index order by a
 * {@link CompletionAssembler}, then live until its DONE or ERROR. Each replay runs on its own
 * thread with its own consumer (no group, no commits), so a waiting replay holds no HTTP thread.
 */
public final class ResultsReplay {
  private static final Logger log = LoggerFactory.getLogger(ResultsReplay.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final String bootstrapServers;
  private final SluiceTopics topics;
  private final Map<String, Object> kafkaOverrides;
  private final ResultDecoder decoder;

  public ResultsReplay(String bootstrapServers, String namespace, Map<String, Object> kafkaOverrides) {
    this.bootstrapServers = bootstrapServers;
    this.topics = new SluiceTopics(namespace);
    this.decoder = new ResultDecoder(topics.results());
    this.kafkaOverrides = Map.copyOf(kafkaOverrides);
  }

  /** A running replay; {@link #cancel()} stops it (e.g. the resuming client went away too). */
  public static final class Replay {
    private final CompletableFuture<Completion> done = new CompletableFuture<>();
    private volatile boolean stopped;

    /** The request's completion once its terminal event was read; fails with TimeoutException. */
    public CompletableFuture<Completion> completion() {
      return done;
    }

    public void cancel() {
      stopped = true;
    }
  }

  /**
   * Starts reading: {@code onToken} sees, in order and once each, the request's token deltas with an
   * index above {@code afterIndex} (-1 = all of them), then the replay completes with the completion.
   *
   * @param sinceMs read records written from then on; the request must have started after it
   */
  public Replay start(String requestId, int afterIndex, long sinceMs, Duration timeout, Consumer<TokenDelta> onToken) {
    Replay replay = new Replay();
    Thread t = new Thread(() -> run(replay, requestId, afterIndex, sinceMs, timeout, onToken),
        "sluice-replay-" + requestId);
    t.setDaemon(true);
    t.start();
    return replay;
  }

  private void run(Replay replay, String requestId, int afterIndex, long sinceMs, Duration timeout,
      Consumer<TokenDelta> onToken) {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    Map<String, Object> props = new HashMap<>(KafkaSettings.consumer(bootstrapServers, null, kafkaOverrides));
    props.put("client.id", "sluice-replay-" + UUID.randomUUID().toString().substring(0, 8));
    CompletionAssembler assembler = new CompletionAssembler(1);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      String topic = topics.results().name();
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(parts);
      Map<TopicPartition, Long> times = new HashMap<>();
      parts.forEach(tp -> times.put(tp, sinceMs));
      Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times);
      for (TopicPartition tp : parts) {
        OffsetAndTimestamp o = offsets.get(tp);
        if (o != null) consumer.seek(tp, o.offset()); else consumer.seekToEnd(List.of(tp));
      }
      while (!replay.stopped && !replay.done.isDone()) {
        if (System.currentTimeMillis() > deadline) {
          replay.done.completeExceptionally(new TimeoutException("no final result of " + requestId + " within " + timeout));
          return;
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          if (requestId.equals(r.key()) && r.value() != null) accept(replay, assembler, r, afterIndex, onToken);
        }
      }
    } catch (RuntimeException e) {
      log.warn("replay of {} failed", requestId, e);
      replay.done.completeExceptionally(e);
    }
  }

  private void accept(Replay replay, CompletionAssembler assembler, ConsumerRecord<String, byte[]> r, int afterIndex,
      Consumer<TokenDelta> onToken) {
    ResultEvent event = decoder.decode(r);
    if (event == null) return;
    CompletionAssembler.Released released = assembler.accept(event);
    for (TokenDelta delta : released.deltas()) {
      if (delta.index() > afterIndex) onToken.accept(delta);
    }
    if (released.completion() != null) replay.done.complete(released.completion());
  }
}
