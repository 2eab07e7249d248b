package dev.sluice.results.client;

import static dev.sluice.results.testing.ScriptedLastStage.completion;
import static dev.sluice.results.testing.ScriptedLastStage.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.results.Completion;
import dev.sluice.results.TokenDelta;
import dev.sluice.results.testing.ScriptedLastStage;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.ResultEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedKafkaExtension.class)
class SluiceClientTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static InferenceRequest request(String prompt) {
    return InferenceRequest.newBuilder().setPrompt(prompt).setModel("stories260K").setMaxTokens(3).build();
  }

  private static SluiceClient readyClient(String namespace) throws InterruptedException {
    SluiceClient client = new SluiceClient(SluiceClientSettings.of(SharedKafkaExtension.bootstrapServers(), namespace));
    assertThat(client.awaitReady(WAIT)).as("client got a reply partition").isTrue();
    return client;
  }

  @Test
  void shouldCompleteFromResultsWrittenToItsReplyPartitionAndStreamEachTokenOnce() throws Exception {
    String namespace = SharedKafkaExtension.uniquePrefix("client");
    ScriptedLastStage.createTopics(SharedKafkaExtension.bootstrapServers(), namespace, 4);
    // The last stage repeats a token (an at-least-once retry): the client must de-duplicate it.
    try (ScriptedLastStage stage = new ScriptedLastStage(SharedKafkaExtension.bootstrapServers(), namespace, r -> {
          String id = r.request().getRequestId();
          List<ResultEvent> events = new ArrayList<>(completion(id, List.of("Once", " upon", " a"), 5, 2, r.request().getCreatedAtMs()));
          events.add(2, token(id, 1, 101, " upon"));
          return events;
        });
        SluiceClient client = readyClient(namespace)) {
      List<TokenDelta> streamed = new CopyOnWriteArrayList<>();

      Completion completion = client.submit(request("Once"), streamed::add).get(30, TimeUnit.SECONDS);

      assertThat(completion.text()).isEqualTo("Once upon a");
      assertThat(completion.tokenIds()).containsExactly(100, 101, 102);
      assertThat(completion.promptTokens()).isEqualTo(5);
      assertThat(completion.cachedPromptTokens()).isEqualTo(2);
      assertThat(completion.latencyMs()).isGreaterThanOrEqualTo(0);
      assertThat(streamed).extracting(TokenDelta::text).containsExactly("Once", " upon", " a");
      ScriptedLastStage.Received received = stage.nextRequest(WAIT);
      assertThat(received.replyPartition()).as("reply partition header").isIn(client.replyPartitions());
      assertThat(received.request().getRequestId()).isEqualTo(completion.requestId()).isNotEmpty();
      assertThat(client.inFlight()).isZero();
    }
  }

  @Test
  void shouldCompleteWithTheErrorResultOfARejectedRequest() throws Exception {
    String namespace = SharedKafkaExtension.uniquePrefix("client-error");
    ScriptedLastStage.createTopics(SharedKafkaExtension.bootstrapServers(), namespace, 2);
    try (ScriptedLastStage stage = new ScriptedLastStage(SharedKafkaExtension.bootstrapServers(), namespace,
            r -> List.of(ScriptedLastStage.error(r.request().getRequestId(), 0, "model_not_found", "no model nope")));
        SluiceClient client = readyClient(namespace)) {
      Completion completion = client.submit(request("x")).get(30, TimeUnit.SECONDS);

      assertThat(completion.isError()).isTrue();
      assertThat(completion.errorCode()).isEqualTo("model_not_found");
    }
  }

  @Test
  void shouldFailWithTimeoutWhenNoFinalResultArrives() throws Exception {
    String namespace = SharedKafkaExtension.uniquePrefix("client-timeout");
    ScriptedLastStage.createTopics(SharedKafkaExtension.bootstrapServers(), namespace, 2);
    try (ScriptedLastStage stage = new ScriptedLastStage(SharedKafkaExtension.bootstrapServers(), namespace,
            r -> List.of(token(r.request().getRequestId(), 0, 1, "only a token")));
        SluiceClient client = readyClient(namespace)) {
      CompletableFuture<Completion> future = client.submit(request("x"), d -> {}, Duration.ofMillis(1500));

      assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
      await().atMost(WAIT).until(() -> client.inFlight() == 0);
    }
  }

  @Test
  void shouldIgnoreResultsOfRequestsItDidNotSubmit() throws Exception {
    String namespace = SharedKafkaExtension.uniquePrefix("client-foreign");
    ScriptedLastStage.createTopics(SharedKafkaExtension.bootstrapServers(), namespace, 1);
    try (ScriptedLastStage stage = new ScriptedLastStage(SharedKafkaExtension.bootstrapServers(), namespace,
            r -> completion(r.request().getRequestId(), List.of("mine"), 1, 0, 0));
        SluiceClient client = readyClient(namespace)) {
      stage.publish(0, completion("someone-else", List.of("theirs"), 1, 0, 0));

      Completion completion = client.submit(request("x")).get(30, TimeUnit.SECONDS);

      assertThat(completion.text()).isEqualTo("mine");
      assertThat(client.inFlight()).isZero();
    }
  }

  @Test
  void shouldSplitReplyPartitionsBetweenMembersAndFailWaitersOfARevokedPartition() throws Exception {
    String namespace = SharedKafkaExtension.uniquePrefix("client-rebalance");
    ScriptedLastStage.createTopics(SharedKafkaExtension.bootstrapServers(), namespace, 4);
    // No results at all: the requests wait until the rebalance decides their fate.
    try (ScriptedLastStage stage = new ScriptedLastStage(SharedKafkaExtension.bootstrapServers(), namespace, r -> List.of());
        SluiceClient first = readyClient(namespace)) {
      await().atMost(WAIT).until(() -> first.replyPartitions().size() == 4);
      List<CompletableFuture<Completion>> futures = new ArrayList<>();
      for (int i = 0; i < 4; i++) futures.add(first.submit(request("p" + i))); // round-robin: one per partition
      for (int i = 0; i < 4; i++) assertThat(stage.nextRequest(WAIT)).isNotNull();

      try (SluiceClient second = readyClient(namespace)) {
        await().atMost(WAIT).until(() -> first.replyPartitions().size() + second.replyPartitions().size() == 4
            && !first.replyPartitions().isEmpty());
        Set<Integer> overlap = new HashSet<>(first.replyPartitions());
        overlap.retainAll(second.replyPartitions());
        assertThat(overlap).isEmpty();

        await().atMost(WAIT).until(() -> futures.stream().filter(CompletableFuture::isCompletedExceptionally).count()
            == second.replyPartitions().size());
        for (CompletableFuture<Completion> f : futures) {
          if (f.isCompletedExceptionally()) {
            assertThatThrownBy(f::join).hasCauseInstanceOf(ReplyPartitionLostException.class);
          }
        }
      }
    }
  }
}
