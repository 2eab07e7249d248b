package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.ResultEvent;
import dev.sluice.schemas.ResultKind;
import dev.sluice.schemas.serde.SluiceSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router as a real process, killed with kill -9 while requests stream in and started again on
 * the same data directory (as a supervisor restarts it). Routing must resume within 5 s of the
 * replacement's start, and the results topic — read as any plain consumer reads it — must hold one
 * DONE per request, no (requestId, index) twice and the output of an undisturbed run, although the
 * replacement replays what the killed router processed but had not committed.
 */
@ExtendWith(SharedKafkaExtension.class)
class RouterFailoverTest {
  private static final int REQUESTS = 80;
  private static final int MAX_TOKENS = 12;
  private static final long SEND_EVERY_MS = 50;
  private static final long RESUME_BOUND_MS = 5_000;

  @Test
  void shouldResumeRoutingWithinFiveSecondsOfARestartAndRouteNoRequestTwice(@TempDir Path dir) throws Exception {
    try (StagePipelineFixture p = new StagePipelineFixture("rkill", dir)) {
      for (int k = 0; k < StagePipelineFixture.LAYERS.length; k++) {
        p.startInProcess(k, p.prefix + "-s" + k);
      }
      String[] routerArgs = {"--model", p.model.toString(), "--bootstrap-servers", SharedKafkaExtension.bootstrapServers(),
          "--prefix", p.prefix, "--lanes", String.valueOf(StagePipelineFixture.LANES)};
      Path routerDir = dir.resolve("router");
      Map<String, String> texts = texts(p.prefix);
      Map<String, int[]> prompts = tokenized(p.model, texts);
      List<String> ids = new ArrayList<>(texts.keySet());
      ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
      try (ChildRouter first = ChildRouter.start(routerDir, routerArgs);
          StagePipelineFixture.Results results = p.new Results();
          KafkaProducer<String, InferenceRequest> producer = producer()) {
        awaitReady(first);
        // one request first: the workers load and warm up before the stream starts
        producer.send(new ProducerRecord<>(p.topics.requests().name(), request(ids.get(0), texts.get(ids.get(0)))));
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20)).until(() -> {
          results.poll();
          return results.finished() >= 1;
        });
        AtomicInteger sent = new AtomicInteger(1);
        sender.scheduleAtFixedRate(() -> {
          int i = sent.getAndIncrement();
          if (i < REQUESTS) producer.send(new ProducerRecord<>(p.topics.requests().name(), request(ids.get(i), texts.get(ids.get(i)))));
        }, 0, SEND_EVERY_MS, TimeUnit.MILLISECONDS);
        // kill while requests stream in
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20)).until(() -> {
          results.poll();
          return sent.get() >= REQUESTS / 3;
        });
        assertThat(sent.get()).as("requests sent before the kill").isLessThan(REQUESTS * 2 / 3);

        first.kill(); // mid-stream: requests keep arriving, some routed but not committed
        long restartedAtMs = System.currentTimeMillis();
        try (ChildRouter replacement = ChildRouter.start(routerDir, routerArgs)) {
          awaitReady(replacement);
          long readyAfterMs = System.currentTimeMillis() - restartedAtMs;
          results.awaitFinished(REQUESTS, Duration.ofMinutes(3));
          long resumedAfterMs = firstRoutedAtOrAfter(results, restartedAtMs) - restartedAtMs;
          System.out.printf("router failover: replacement ready (Streams RUNNING) %d ms and routing %d ms after its start;"
              + " %d of %d requests finished%n", readyAfterMs, resumedAfterMs, results.finished(), REQUESTS);
          assertOneGenerationEach(p, prompts, results);
          assertThat(resumedAfterMs).as("ms from the replacement's start to its first routed request")
              .isBetween(0L, RESUME_BOUND_MS);
          assertThat(replacement.isAlive()).isTrue();
        }
      } finally {
        sender.shutdownNow();
      }
    }
  }

  private static void awaitReady(ChildRouter router) {
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
        .until(() -> router.output().contains("router ready"));
  }

  /** The earliest routing time, as the DONE results report it, of the requests routed at or after {@code fromMs}. */
  private static long firstRoutedAtOrAfter(StagePipelineFixture.Results results, long fromMs) {
    return results.byRequest.values().stream().flatMap(List::stream)
        .filter(e -> e.getKind() == ResultKind.DONE && e.getTimings() != null)
        .mapToLong(e -> e.getTimings().getRoutedAtMs()).filter(t -> t >= fromMs).min()
        .orElseThrow(() -> new AssertionError("no request was routed after the restart"));
  }

  private static void assertOneGenerationEach(StagePipelineFixture p, Map<String, int[]> prompts,
      StagePipelineFixture.Results results) {
    Map<String, int[]> expected = p.expected(prompts, MAX_TOKENS);
    for (String id : prompts.keySet()) {
      List<ResultEvent> events = results.byRequest.getOrDefault(id, List.of());
      assertThat(events.stream().filter(e -> e.getKind() != ResultKind.TOKEN).toList()).as("terminal events of %s", id)
          .hasSize(1).allMatch(e -> e.getKind() == ResultKind.DONE);
      Set<Integer> indexes = new HashSet<>();
      for (ResultEvent e : events) {
        assertThat(indexes.add(e.getIndex())).as("(%s, %d) on the results topic once", id, e.getIndex()).isTrue();
      }
      assertThat(StagePipelineFixture.tokens(events)).as("tokens of %s", id).containsExactly(expected.get(id));
    }
  }

  /** Prompt text per request id (text, as the HTTP ingress sends it: the router's tokenizer is on the path). */
  private static Map<String, String> texts(String prefix) {
    Map<String, String> texts = new LinkedHashMap<>();
    String[] openings = {"Once upon a time", "The little dog", "Lily wanted to", "One day, a big", "Tom and Sue"};
    for (int i = 0; i < REQUESTS; i++) {
      texts.put(prefix + "-r" + i, openings[i % openings.length] + " " + "and ".repeat(i % 7));
    }
    return texts;
  }

  private static Map<String, int[]> tokenized(Path model, Map<String, String> texts) {
    Map<String, int[]> out = new LinkedHashMap<>();
    try (TextTokenizer tokenizer = Tokenizers.load(model)) {
      texts.forEach((id, text) -> out.put(id, tokenizer.encode(text)));
    }
    return out;
  }

  private static InferenceRequest request(String id, String prompt) {
    return InferenceRequest.newBuilder().setRequestId(id).setModel("stories260K").setPrompt(prompt)
        .setMaxTokens(MAX_TOKENS).setTemperature(0f).setCreatedAtMs(System.currentTimeMillis()).build();
  }

  private static KafkaProducer<String, InferenceRequest> producer() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafkaExtension.bootstrapServers(),
        ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(),
        SluiceSerdes.inferenceRequest().serializer());
  }
}
