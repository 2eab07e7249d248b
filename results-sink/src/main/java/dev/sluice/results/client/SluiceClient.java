package dev.sluice.results.client;

import dev.sluice.results.Completion;
import dev.sluice.results.CompletionAssembler;
import dev.sluice.results.ResultDecoder;
import dev.sluice.results.KafkaSettings;
import dev.sluice.results.PollThreads;
import dev.sluice.results.TokenDelta;
import dev.sluice.schemas.CancelRequest;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.serde.SluiceHeaders;
import dev.sluice.schemas.topic.SluiceTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Java client for programs that use Sluice's topics directly: it produces InferenceRequests and
 * completes a future when the request's final result arrives.
 *
 * <p><b>Reply partitions.</b> The client is a member of a consumer group on the results topic
 * (default {@code <prefix>.ingress}, the same group the HTTP ingress instances join), so the group
 * splits the results partitions between its members. Every request names one of this member's
 * partitions in the {@code sluice-reply-partition} header; the router and the stages copy it, and the
 * last stage writes the request's results there. So each instance receives only its own replies
 * (plus, on a shared partition, other members' replies, skipped by key before decoding).
 *
 * <p>The consumer never commits: on assignment it starts at the end of each partition, because
 * earlier results belong to no waiter of this instance. When a rebalance takes a partition away, the
 * requests waiting on it fail with {@link ReplyPartitionLostException} (never left hanging). A request
 * that waits longer than the timeout fails with {@link java.util.concurrent.TimeoutException}. An ERROR
 * result is not an exception: the future completes with a {@link Completion} whose
 * {@link Completion#isError()} is true.
 *
 * <p>Token callbacks run on the client's consumer thread, in index order, each token exactly once;
 * keep them short.
 */
public final class SluiceClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SluiceClient.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final SluiceClientSettings settings;
  private final SluiceTopics topics;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Serializer<InferenceRequest> requestSerializer;
  private final Serializer<CancelRequest> cancelSerializer;
  private final ResultDecoder decoder;
  private final CompletionAssembler assembler = new CompletionAssembler(1);
  private final Map<String, Waiter> waiting = new ConcurrentHashMap<>();
  private final Set<Integer> replyPartitions = ConcurrentHashMap.newKeySet();
  private final AtomicInteger nextReply = new AtomicInteger();
  private final CountDownLatch firstAssignment = new CountDownLatch(1);
  private final Thread pollThread;
  private volatile boolean running = true;
  private volatile Throwable pollFailure;

  private record Waiter(String requestId, int replyPartition, CompletableFuture<Completion> future, Consumer<TokenDelta> onToken) {}

  /** Starts the producer and joins the results group; {@link #isReady()} once it owns a partition. */
  public SluiceClient(SluiceClientSettings settings) {
    this.settings = settings;
    this.topics = new SluiceTopics(settings.namespace());
    this.requestSerializer = topics.requests().valueSerde().serializer();
    this.cancelSerializer = topics.cancels().valueSerde().serializer();
    this.decoder = new ResultDecoder(topics.results());
    String clientId = "sluice-client-" + UUID.randomUUID().toString().substring(0, 8);
    this.producer = new KafkaProducer<>(KafkaSettings.producer(settings.bootstrapServers(), clientId, settings.kafkaOverrides()));
    this.consumer = new KafkaConsumer<>(KafkaSettings.consumer(settings.bootstrapServers(), settings.groupId(), settings.kafkaOverrides()));
    this.pollThread = new Thread(this::pollLoop, clientId + "-results");
    pollThread.setDaemon(true);
    pollThread.start();
  }

  public static SluiceClient start(String bootstrapServers, String namespace) {
    return new SluiceClient(SluiceClientSettings.of(bootstrapServers, namespace));
  }

  /** True once the group gave this client at least one reply partition. */
  public boolean isReady() {
    return !replyPartitions.isEmpty() && pollFailure == null;
  }

  /** Waits until {@link #isReady()}; false if that did not happen in time. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return firstAssignment.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && isReady();
  }

  /** Partitions of the results topic this client owns now. */
  public Set<Integer> replyPartitions() {
    return Set.copyOf(new TreeSet<>(replyPartitions));
  }

  /** Requests submitted and not finished yet. */
  public int inFlight() {
    return waiting.size();
  }

  public CompletableFuture<Completion> submit(InferenceRequest request) {
    return submit(request, delta -> {}, settings.timeout());
  }

  /** Streaming variant: {@code onToken} sees every token delta once, in order, before the future completes. */
  public CompletableFuture<Completion> submit(InferenceRequest request, Consumer<TokenDelta> onToken) {
    return submit(request, onToken, settings.timeout());
  }

  /**
   * Produces the request with this client's reply partition and returns its future completion.
   * An empty requestId is replaced by a random UUID, and createdAtMs 0 by now (the request object is
   * updated in place so the caller can see the id).
   */
  public CompletableFuture<Completion> submit(InferenceRequest request, Consumer<TokenDelta> onToken, Duration timeout) {
    CompletableFuture<Completion> future = new CompletableFuture<>();
    if (!running) {
      future.completeExceptionally(new IllegalStateException("the Sluice client is closed"));
      return future;
    }
    List<Integer> owned = new ArrayList<>(new TreeSet<>(replyPartitions));
    if (owned.isEmpty()) {
      future.completeExceptionally(new IllegalStateException(
          "no reply partition assigned yet (results group " + settings.groupId() + "); wait for isReady()"));
      return future;
    }
    if (request.getRequestId() == null || request.getRequestId().isEmpty()) {
      request.setRequestId(UUID.randomUUID().toString());
    }
    if (request.getCreatedAtMs() == 0) request.setCreatedAtMs(System.currentTimeMillis());
    String requestId = request.getRequestId();
    int replyPartition = owned.get(Math.floorMod(nextReply.getAndIncrement(), owned.size()));
    Waiter waiter = new Waiter(requestId, replyPartition, future, onToken);
    if (waiting.putIfAbsent(requestId, waiter) != null) {
      future.completeExceptionally(new IllegalArgumentException("request " + requestId + " is already in flight"));
      return future;
    }
    future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((completion, error) -> {
          waiting.remove(requestId, waiter);
          assembler.forget(requestId);
        });
    // A revocation between choosing the partition and registering would miss this waiter.
    if (!replyPartitions.contains(replyPartition)) {
      future.completeExceptionally(new ReplyPartitionLostException(requestId, replyPartition));
      return future;
    }
    String requestsTopic = topics.requests().name();
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(requestsTopic, requestId, requestSerializer.serialize(requestsTopic, request));
    SluiceHeaders.put(record.headers(), SluiceHeaders.REQUEST_ID, requestId);
    SluiceHeaders.put(record.headers(), SluiceHeaders.REPLY_PARTITION, Integer.toString(replyPartition));
    try {
      producer.send(record, (metadata, error) -> {
        if (error != null) future.completeExceptionally(error);
      });
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
    }
    return future;
  }

  /**
   * Asks every stage to stop the request (a record on {@code <prefix>.cancels}); its waiter, if any,
   * then completes with the request's DONE whose finish reason is CANCELLED. Any client may cancel
   * any request id; cancelling an unknown or finished request changes nothing.
   *
   * @param reason client (an explicit cancel) or client_disconnected
   * @return completes once the broker has the cancel
   */
  public CompletableFuture<Void> cancel(String requestId, String reason) {
    CompletableFuture<Void> sent = new CompletableFuture<>();
    String topic = topics.cancels().name();
    CancelRequest cancel = new CancelRequest(requestId, reason, System.currentTimeMillis());
    try {
      producer.send(new ProducerRecord<>(topic, requestId, cancelSerializer.serialize(topic, cancel)), (metadata, error) -> {
        if (error != null) sent.completeExceptionally(error); else sent.complete(null);
      });
    } catch (RuntimeException e) {
      sent.completeExceptionally(e);
    }
    return sent;
  }

  private void pollLoop() {
    String resultsTopic = topics.results().name();
    try {
      consumer.subscribe(List.of(resultsTopic), new ReplyPartitionListener());
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
          // Cheap filter: the key is the request id; only our waiters' records are decoded.
          Waiter waiter = record.key() == null ? null : waiting.get(record.key());
          if (waiter != null) deliver(waiter, record);
        }
      }
    } catch (WakeupException e) {
      if (running) pollFailure = e;
    } catch (RuntimeException e) {
      pollFailure = e;
      log.error("results consumer of group {} failed", settings.groupId(), e);
      failAll(e);
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.warn("closing the results consumer failed", e);
      }
    }
  }

  private void deliver(Waiter waiter, ConsumerRecord<String, byte[]> record) {
    ResultEvent event = decoder.decode(record);
    if (event == null) return;
    CompletionAssembler.Released released = assembler.accept(event);
    for (TokenDelta delta : released.deltas()) {
      try {
        waiter.onToken().accept(delta);
      } catch (RuntimeException e) {
        log.warn("token callback of request {} failed", waiter.requestId(), e);
      }
    }
    if (released.completion() != null) waiter.future().complete(released.completion());
  }

  private void failAll(Throwable cause) {
    for (Waiter waiter : waiting.values()) waiter.future().completeExceptionally(cause);
  }

  private final class ReplyPartitionListener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      consumer.seekToEnd(partitions);
      for (TopicPartition tp : partitions) {
        // Resolve the end offset now, before the partition is offered as a reply partition, so no
        // result written after this point can be skipped by a lazy seek.
        consumer.position(tp);
        replyPartitions.add(tp.partition());
      }
      if (!partitions.isEmpty()) {
        log.info("results group {}: reply partitions now {}", settings.groupId(), new TreeSet<>(replyPartitions));
        firstAssignment.countDown();
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      release(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      release(partitions);
    }

    private void release(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) replyPartitions.remove(tp.partition());
      for (Waiter waiter : waiting.values()) {
        if (partitions.stream().anyMatch(tp -> tp.partition() == waiter.replyPartition())) {
          waiter.future().completeExceptionally(new ReplyPartitionLostException(waiter.requestId(), waiter.replyPartition()));
        }
      }
    }
  }

  /** Fails waiting requests, leaves the group and closes the Kafka clients. */
  @Override
  public void close() {
    if (!running) return;
    running = false;
    PollThreads.wakeAndJoin(consumer, pollThread, Duration.ofSeconds(10));
    failAll(new IllegalStateException("the Sluice client was closed"));
    producer.close(Duration.ofSeconds(5));
  }
}
