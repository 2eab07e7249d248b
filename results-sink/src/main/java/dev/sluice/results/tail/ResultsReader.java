package dev.sluice.results.tail;

import dev.sluice.results.Completion;
import dev.sluice.results.CompletionAssembler;
import dev.sluice.results.ResultDecoder;
import dev.sluice.results.KafkaSettings;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.topic.SluiceTopics;
import dev.sluice.schemas.topic.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads every partition of the results topic (no consumer group, nothing committed) and assembles
 * completions: the engine of {@code sluice results tail} and {@code sluice results export}.
 */
public final class ResultsReader implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(200);

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final List<TopicPartition> partitions;
  private final ResultDecoder decoder;
  private final CompletionAssembler assembler = new CompletionAssembler();
  private volatile boolean running = true;

  public ResultsReader(String bootstrapServers, String namespace, boolean fromBeginning, Map<String, Object> kafkaOverrides) {
    Topic<String, ResultEvent> results = new SluiceTopics(namespace).results();
    this.topic = results.name();
    this.decoder = new ResultDecoder(results);
    this.consumer = new KafkaConsumer<>(KafkaSettings.consumer(bootstrapServers, null, kafkaOverrides));
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos == null || infos.isEmpty()) {
      consumer.close();
      throw new IllegalStateException("topic " + topic + " does not exist at " + bootstrapServers
          + " (create the topics first: sluice topics create)");
    }
    this.partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
    consumer.assign(partitions);
    if (fromBeginning) consumer.seekToBeginning(partitions); else consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
  }

  /** Calls {@code onCompletion} for every request that finishes, until {@link #stop()} or close. */
  public void tail(Consumer<Completion> onCompletion) {
    try {
      while (running) pollOnce(onCompletion);
    } catch (WakeupException e) {
      if (running) throw e;
    }
  }

  /**
   * Reads up to the end offsets as of now and calls {@code onCompletion} for every request that
   * finished before them; returns how many requests were still unfinished at the end.
   */
  public int readToEnd(Consumer<Completion> onCompletion) {
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    while (running && end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      pollOnce(onCompletion);
    }
    return assembler.openRequests();
  }

  /** Duplicate results dropped so far. */
  public long duplicates() {
    return assembler.duplicates();
  }

  private void pollOnce(Consumer<Completion> onCompletion) {
    for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
      ResultEvent event = decoder.decode(record);
      if (event == null) continue;
      Completion completion = assembler.accept(event).completion();
      if (completion != null) onCompletion.accept(completion);
    }
  }

  /** Ends {@link #tail} from another thread (e.g. a shutdown hook). */
  public void stop() {
    running = false;
    consumer.wakeup();
  }

  /** Call from the thread that reads (KafkaConsumer is single-threaded); use {@link #stop()} elsewhere. */
  @Override
  public void close() {
    running = false;
    consumer.close(Duration.ofSeconds(5));
  }
}
