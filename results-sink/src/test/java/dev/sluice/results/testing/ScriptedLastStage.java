package dev.sluice.results.testing;

import dev.sluice.schemas.FinishReason;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.Timings;
import dev.sluice.schemas.Usage;
import dev.sluice.schemas.WorkerState;
import dev.sluice.schemas.WorkerStatus;
import dev.sluice.schemas.serde.SluiceHeaders;
import dev.sluice.schemas.serde.SluiceSerdes;
import dev.sluice.schemas.topic.SluiceTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import dev.sluice.topics.TopicAdmin;
import dev.sluice.topics.TopicLayout;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays the router and the last stage in tests: reads InferenceRequests from the real requests topic
 * and writes the ResultEvents a script returns to the real results topic, on the reply partition
 * named by the request's header (or by key when none). A real Kafka round trip, no mocks. Like a
 * worker, it sends a READY heartbeat for stage 0 every second (as {@link #WORKER_ID}), so the ingress
 * sees a live worker for every stage of the 1-stage layout {@link #createTopics} makes.
 */
public final class ScriptedLastStage implements AutoCloseable {
  /** A request as it arrived: the record and its reply-partition header. */
  public record Received(InferenceRequest request, Integer replyPartition) {}

  private final String bootstrap;
  private final SluiceTopics topics;
  private final Function<Received, List<ResultEvent>> script;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  /** The worker id of its heartbeats. */
  public static final String WORKER_ID = "scripted-stage-0";

  private final KafkaProducer<String, ResultEvent> producer;
  private final KafkaProducer<String, WorkerStatus> heartbeats;
  private long lastBeatMs;
  private final Thread thread;
  private volatile boolean running = true;

  public ScriptedLastStage(String bootstrap, String namespace, Function<Received, List<ResultEvent>> script) {
    this.bootstrap = bootstrap;
    this.topics = new SluiceTopics(namespace);
    this.script = script;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    this.producer = new KafkaProducer<>(p, new StringSerializer(), SluiceSerdes.resultEvent().serializer());
    this.heartbeats = new KafkaProducer<>(p, new StringSerializer(), SluiceSerdes.workerStatus().serializer());
    this.thread = new Thread(this::run, "scripted-last-stage");
    thread.setDaemon(true);
    thread.start();
  }

  /** Creates every topic of a small layout (1 stage, 2 lanes) with {@code resultPartitions} results partitions. */
  public static void createTopics(String bootstrap, String namespace, int resultPartitions) {
    TopicLayout layout = TopicLayout.defaults().withNamespace(namespace).withStages(1).withLanes(2)
        .withRequestsPartitions(2).withResultsPartitions(resultPartitions);
    try (TopicAdmin admin = TopicAdmin.connect(bootstrap)) {
      admin.create(layout);
    }
  }

  /** The next request that arrived, or null after the wait. */
  public Received nextRequest(Duration wait) throws InterruptedException {
    return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Writes results directly, e.g. for a request that another client produced. */
  public void publish(Integer partition, List<ResultEvent> events) {
    for (ResultEvent e : events) {
      producer.send(new ProducerRecord<>(topics.results().name(), partition, e.getRequestId(), e));
    }
    producer.flush();
  }

  private void run() {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    try (KafkaConsumer<String, InferenceRequest> consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), SluiceSerdes.inferenceRequest().deserializer())) {
      consumer.assign(consumer.partitionsFor(topics.requests().name()).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList());
      while (running) {
        beat();
        for (ConsumerRecord<String, InferenceRequest> record : consumer.poll(Duration.ofMillis(50))) {
          String header = SluiceHeaders.get(record.headers(), SluiceHeaders.REPLY_PARTITION);
          Received r = new Received(record.value(), header == null ? null : Integer.valueOf(header));
          received.add(r);
          publish(r.replyPartition(), script.apply(r));
        }
      }
    } catch (org.apache.kafka.common.errors.InterruptException e) {
      // closing
    }
  }

  private void beat() {
    long now = System.currentTimeMillis();
    if (now - lastBeatMs < 1000) return;
    lastBeatMs = now;
    WorkerStatus status = WorkerStatus.newBuilder().setWorkerId(WORKER_ID).setHost("test").setStage(0).setLayerStart(0)
        .setLayerEnd(1).setLanes(List.of(0, 1)).setState(WorkerState.READY).setTimestampMs(now).build();
    heartbeats.send(new ProducerRecord<>(topics.workers().name(), WORKER_ID, status));
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
    heartbeats.send(new ProducerRecord<>(topics.workers().name(), WORKER_ID, null)); // a clean leave
    heartbeats.close(Duration.ofSeconds(5));
    producer.close(Duration.ofSeconds(5));
  }

  // ---- result builders -------------------------------------------------------------------------

  public static ResultEvent token(String requestId, int index, int tokenId, String text) {
    return ResultEvent.newBuilder().setRequestId(requestId).setIndex(index).setKind(ResultKind.TOKEN)
        .setTokenIds(List.of(tokenId)).setText(text).setAtMs(System.currentTimeMillis()).build();
  }

  public static ResultEvent done(String requestId, int index, String text, FinishReason reason, int prompt, int cached, long createdAtMs) {
    long now = System.currentTimeMillis();
    return ResultEvent.newBuilder().setRequestId(requestId).setIndex(index).setKind(ResultKind.DONE)
        .setText(text).setFinishReason(reason)
        .setUsage(new Usage(prompt, cached, index))
        .setTimings(Timings.newBuilder().setCreatedAtMs(createdAtMs).setFirstTokenAtMs(now).setDoneAtMs(now).build())
        .setModel("stories260K").setAtMs(now).build();
  }

  public static ResultEvent error(String requestId, int index, String code, String message) {
    return ResultEvent.newBuilder().setRequestId(requestId).setIndex(index).setKind(ResultKind.ERROR)
        .setFinishReason(FinishReason.ERROR).setErrorCode(code).setErrorMessage(message)
        .setAtMs(System.currentTimeMillis()).build();
  }

  /** TOKEN results for each piece, then DONE with their concatenation. */
  public static List<ResultEvent> completion(String requestId, List<String> pieces, int prompt, int cached, long createdAtMs) {
    List<ResultEvent> events = new ArrayList<>();
    for (int i = 0; i < pieces.size(); i++) events.add(token(requestId, i, 100 + i, pieces.get(i)));
    events.add(done(requestId, pieces.size(), String.join("", pieces), FinishReason.LENGTH, prompt, cached, createdAtMs));
    return events;
  }
}
