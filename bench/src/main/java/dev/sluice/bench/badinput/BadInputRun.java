package dev.sluice.bench.badinput;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.bench.badinput.BadInput.Channel;
import dev.sluice.bench.badinput.BadInput.Outcome;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.serde.SluiceHeaders;
import dev.sluice.topics.TopicLayout;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends every input of {@link BadInputCorpus} to a running pipeline — HTTP to the ingress, records to the
 * requests topic — and sorts the answers by outcome; after each input, one good completion checks that
 * the pipeline still serves.
 */
public final class BadInputRun {
  /** Counts by outcome, the inputs answered otherwise than owed, and whether the pipeline served after each. */
  public record Result(int inputs, Map<Outcome, Integer> byOutcome, List<String> misanswered, int aliveChecksFailed) {
    public boolean allAnswered() {
      return misanswered.isEmpty();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final String bootstrapServers;
  private final TopicLayout topics;
  private final URI ingress;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  public BadInputRun(String bootstrapServers, TopicLayout topics, URI ingress, PrintStream out) {
    this.bootstrapServers = bootstrapServers;
    this.topics = topics;
    this.ingress = ingress;
    this.out = out;
  }

  public Result run(String model, int maxBodyBytes, Duration answerTimeout) throws Exception {
    List<BadInput> corpus = BadInputCorpus.all(model, maxBodyBytes);
    Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
    List<String> misanswered = new ArrayList<>();
    int aliveFailed = 0;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps());
        KafkaConsumer<String, byte[]> results = consumerAtEnd(topics.results());
        KafkaConsumer<String, byte[]> dlq = consumerAtEnd(topics.dlq())) {
      for (BadInput input : corpus) {
        Outcome got = input.channel() == Channel.HTTP ? sendHttp(input)
            : sendKafka(input, producer, results, dlq, answerTimeout);
        counts.merge(got, 1, Integer::sum);
        boolean alive = alive();
        if (!alive) aliveFailed++;
        String verdict = got == input.expected() ? "ok  " : "MISS";
        if (got != input.expected()) misanswered.add(input.channel() + " " + input.name() + ": " + got);
        out.printf("  [%s] %-5s %-36s -> %-12s (owed %s)%s%n", verdict, input.channel(), input.name(), got,
            input.expected(), alive ? "" : "  pipeline NOT serving afterwards");
      }
    }
    return new Result(corpus.size(), counts, misanswered, aliveFailed);
  }

  private Outcome sendHttp(BadInput input) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(ingress.resolve(input.path()))
          .timeout(Duration.ofSeconds(60)).header("Content-Type", input.contentType())
          .POST(HttpRequest.BodyPublishers.ofByteArray(input.body())).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() < 400 || r.statusCode() >= 500) return Outcome.UNANSWERED;
      JsonNode error = JSON.readTree(r.body()).path("error");
      return error.path("message").isTextual() && error.has("type") ? Outcome.HTTP_4XX : Outcome.UNANSWERED;
    } catch (Exception e) { // a reset, a timeout, a body that is no JSON
      return Outcome.UNANSWERED;
    }
  }

  private Outcome sendKafka(BadInput input, KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> results,
      KafkaConsumer<String, byte[]> dlq, Duration timeout) throws Exception {
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.requests(), input.marker(), input.body());
    if (input.json()) record.headers().add(SluiceHeaders.CONTENT_TYPE, SluiceHeaders.JSON.getBytes(StandardCharsets.UTF_8));
    producer.send(record).get();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : results.poll(Duration.ofMillis(100))) {
        if (input.marker().equals(r.key()) && r.value() != null) {
          ResultEvent e = topics.registry().results().valueSerde().deserializer().deserialize(r.topic(), r.value());
          if (e.getKind() == ResultKind.ERROR) return Outcome.ERROR_RESULT;
          if (e.getKind() == ResultKind.DONE) return Outcome.UNANSWERED; // served what it should have refused
        }
      }
      for (ConsumerRecord<String, byte[]> r : dlq.poll(Duration.ofMillis(100))) {
        if (input.marker().equals(r.key())) return Outcome.DLQ;
      }
    }
    return Outcome.UNANSWERED;
  }

  /** One short greedy completion over HTTP answers 200 within 60 s. */
  private boolean alive() {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(ingress.resolve("/v1/completions"))
          .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Once upon a time\", \"max_tokens\": 2, \"temperature\": 0}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  private Map<String, Object> producerProps() {
    Map<String, Object> p = new HashMap<>(topics.producerSizeProps());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return p;
  }

  /** A consumer of every partition of {@code topic}, from its end now (only answers to this run). */
  private KafkaConsumer<String, byte[]> consumerAtEnd(String topic) {
    Properties p = new Properties();
    p.putAll(topics.consumerSizeProps());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-bad-input-" + UUID.randomUUID().toString().substring(0, 8));
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p);
    Collection<TopicPartition> partitions = c.partitionsFor(topic).stream()
        .map(i -> new TopicPartition(topic, i.partition())).toList();
    c.assign(partitions);
    c.seekToEnd(partitions);
    partitions.forEach(c::position); // resolve the end now, before anything is sent
    return c;
  }
}
