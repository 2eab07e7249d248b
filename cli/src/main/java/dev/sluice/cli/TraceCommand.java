package dev.sluice.cli;

import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.StageStamp;
import dev.sluice.schemas.StageWork;
import dev.sluice.schemas.serde.SluiceHeaders;
import dev.sluice.schemas.serde.UnreadableRecordException;
import dev.sluice.schemas.topic.SluiceTopics;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Shows one request's records at each stage, in time order: the request, every StageWork record
 * (kind, positions, lane, per-stage stamps) and every result, found by the {@code sluice-request-id}
 * header (or the record key) that every record of a request carries.
 */
@Command(name = "trace", mixinStandardHelpOptions = true, defaultValueProvider = KeyDefaults.class,
    description = "Show a request's records at each stage (requests, stage-K, results, dlq), in time order.")
public final class TraceCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "REQUEST_ID", description = "The request id (as in results; an HTTP response id cmpl-ID works too).")
  String requestId;

  @Option(names = "--since-minutes", defaultValue = "60",
      description = "Only look at records of the last N minutes (default: ${DEFAULT-VALUE}); 0 = from the beginning.")
  long sinceMinutes;

  record Found(long timestamp, String topic, int partition, long offset, String line) {}

  @Override
  public Integer call() {
    // The HTTP API's ids are the request id behind "cmpl-" or "chatcmpl-".
    requestId = requestId.replaceFirst("^(chat)?cmpl-", "");
    PrintWriter out = spec.commandLine().getOut();
    SluiceTopics topics = new SluiceTopics(kafka.namespace());
    Map<String, Object> props = new HashMap<>(kafka.clientOverrides());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024 * 1024);

    List<String> names = new ArrayList<>();
    names.add(topics.requests().name());
    try (Admin admin = Admin.create(props)) {
      TreeSet<String> existing = new TreeSet<>(admin.listTopics().names().get());
      for (int k = 0; existing.contains(topics.stage(k).name()); k++) names.add(topics.stage(k).name());
      names.add(topics.results().name());
      names.add(topics.dlq().name());
      names.removeIf(n -> !existing.contains(n));
    } catch (Exception e) {
      throw new IllegalStateException("cannot list topics at " + kafka.bootstrapServers() + ": " + e.getMessage(), e);
    }

    List<Found> found = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      for (String topic : names) found.addAll(scan(consumer, topic, topics));
    }
    if (found.isEmpty()) {
      out.println("no records of request " + requestId + " in " + String.join(", ", names)
          + (sinceMinutes > 0 ? " (last " + sinceMinutes + " min; try --since-minutes 0)" : ""));
      return 1;
    }
    found.sort(Comparator.comparingLong(Found::timestamp).thenComparing(Found::topic).thenComparingLong(Found::offset));
    long t0 = found.get(0).timestamp();
    out.println("request " + requestId + ": " + found.size() + " records, first at " + Instant.ofEpochMilli(t0));
    for (Found f : found) {
      out.printf("%+8d ms  %-22s p%-3d @%-8d %s%n", f.timestamp() - t0, f.topic(), f.partition(), f.offset(), f.line());
    }
    return 0;
  }

  private List<Found> scan(KafkaConsumer<byte[], byte[]> consumer, String topic, SluiceTopics topics) {
    List<TopicPartition> parts = new ArrayList<>();
    for (PartitionInfo p : consumer.partitionsFor(topic)) parts.add(new TopicPartition(topic, p.partition()));
    consumer.assign(parts);
    Map<TopicPartition, Long> end = consumer.endOffsets(parts);
    if (sinceMinutes > 0) {
      long since = System.currentTimeMillis() - sinceMinutes * 60_000;
      Map<TopicPartition, Long> query = parts.stream().collect(Collectors.toMap(tp -> tp, tp -> since));
      Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(query);
      for (TopicPartition tp : parts) {
        OffsetAndTimestamp o = from.get(tp);
        consumer.seek(tp, o == null ? end.get(tp) : o.offset());
      }
    } else {
      consumer.seekToBeginning(parts);
    }
    List<Found> out = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 60_000;
    while (!caughtUp(consumer, parts, end) && System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        String header = SluiceHeaders.get(r.headers(), SluiceHeaders.REQUEST_ID);
        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
        if (!requestId.equals(header) && !requestId.equals(key)) continue;
        out.add(new Found(r.timestamp(), topic, r.partition(), r.offset(), describe(topic, r, topics)));
      }
    }
    return out;
  }

  private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> parts, Map<TopicPartition, Long> end) {
    for (TopicPartition tp : parts) if (consumer.position(tp) < end.get(tp)) return false;
    return true;
  }

  private static String describe(String topic, ConsumerRecord<byte[], byte[]> r, SluiceTopics topics) {
    try {
      if (topic.equals(topics.requests().name())) {
        InferenceRequest q = topics.requests().valueSerde().deserializer().deserialize(topic, r.headers(), r.value());
        return "REQUEST maxTokens=" + q.getMaxTokens() + " temperature=" + q.getTemperature()
            + (q.getPrompt() != null ? " prompt=\"" + abbreviate(q.getPrompt()) + "\"" : " promptTokens=" + q.getPromptTokens().size());
      }
      if (topic.equals(topics.results().name())) {
        ResultEvent e = topics.results().valueSerde().deserializer().deserialize(topic, r.value());
        String s = e.getKind() + " #" + e.getIndex();
        if (!e.getText().isEmpty()) s += " \"" + abbreviate(e.getText()) + "\"";
        if (e.getFinishReason() != null) s += " finish=" + e.getFinishReason();
        if (e.getUsage() != null) s += " usage(prompt=" + e.getUsage().getPromptTokens() + ", cached="
            + e.getUsage().getCachedPromptTokens() + ", completion=" + e.getUsage().getCompletionTokens() + ")";
        if (e.getErrorCode() != null) s += " error=" + e.getErrorCode() + ": " + e.getErrorMessage();
        return s;
      }
      if (topic.equals(topics.dlq().name())) {
        return "DLQ reason=" + SluiceHeaders.get(r.headers(), SluiceHeaders.DLQ_REASON);
      }
      StageWork w = topics.stage(0).valueSerde().deserializer().deserialize(topic, r.value());
      StringBuilder s = new StringBuilder(w.getKind() + " [" + w.getStartPos() + "," + w.getEndPos() + ") lane "
          + w.getLane() + " attempt " + w.getAttempt() + " cached " + w.getCachedTokens());
      for (StageStamp st : w.getStamps()) {
        s.append(" | stage ").append(st.getStage()).append(' ').append(st.getWorkerId()).append(' ')
            .append(st.getSentAtMs() - st.getReceivedAtMs()).append(" ms");
      }
      return s.toString();
    } catch (UnreadableRecordException e) {
      return "unreadable: " + e.reason();
    }
  }

  private static String abbreviate(String text) {
    String t = text.replace("\n", "\\n");
    return t.length() > 60 ? t.substring(0, 57) + "..." : t;
  }
}
